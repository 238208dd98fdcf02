import { ConfigurationError } from '../config/environment';

/** What a command accepts: `--name value` options, some required, and `--flag` switches. */
export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  required?: readonly string[];
  optional?: readonly string[];
  flags?: readonly string[];
}

/** Raised for bad command-line input: the CLI prints the message (and the command's usage) and exits with 1. */
export class UsageError extends ConfigurationError {}

export function helpRequested(args: string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

/**
 * Parses `--option value` pairs and `--flag` switches, refusing anything the command does not know and naming
 * every missing required option, so a typo never silently does something else.
 */
export function parseOptions(spec: CommandSpec, args: string[]): ParsedOptions {
  const known = new Set([...(spec.required ?? []), ...(spec.optional ?? [])]);
  const switches = new Set(spec.flags ?? []);
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    const name = arg.startsWith('--') ? arg.slice(2) : '';
    if (switches.has(name)) {
      flags.add(name);
    } else if (known.has(name)) {
      const value = args[index + 1];
      if (value === undefined || value.startsWith('--')) throw usage(spec, `--${name} needs a value`);
      values[name] = value;
      index += 1;
    } else {
      throw usage(spec, `Unknown argument ${arg}`);
    }
  }
  const missing = (spec.required ?? []).filter((name) => values[name] === undefined);
  if (missing.length > 0) throw usage(spec, `Missing ${missing.map((m) => `--${m}`).join(', ')}`);
  return { values, flags };
}

export interface ParsedOptions {
  values: Record<string, string | undefined>;
  flags: Set<string>;
}

export const usage = (spec: CommandSpec, reason: string) =>
  new UsageError(`${reason}\n\nUsage: ${spec.usage}\n  ${spec.summary}`);

export const helpText = (spec: CommandSpec) => `Usage: ${spec.usage}\n\n  ${spec.summary}`;
