import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateIf } from 'class-validator';
import { invalid, ProblemFieldError } from './problem';

function flatten(errors: ValidationError[], parent = ''): ProblemFieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** The validation-error problem (RFC 9457, with field errors[]) for class-validator's errors. */
export function validationProblem(errors: ValidationError[]) {
  const fieldErrors = flatten(errors);
  return invalid(fieldErrors.map((e) => e.message).join('; '), fieldErrors);
}

/**
 * The field may be left out, but not sent as `null`. class-validator's @IsOptional() skips `null` as well, which
 * let a `null` through to a NOT NULL column (a 500) or over a setting that must have a value. Fields where `null`
 * means something ("clear it") say so in their type (`string | null`) and keep their own ValidateIf.
 */
export const IsOmittable = () => ValidateIf((_object: object, value: unknown) => value !== undefined);

/** The options every validation uses: unknown fields are refused. */
export const VALIDATOR_OPTIONS = { whitelist: true, forbidNonWhitelisted: true } as const;

const NUL_MESSAGE = 'must not contain the NUL character (\\u0000)';
/** Far deeper than any DTO (a price plan's tiers are four levels down), shallow enough for recursive validators. */
const MAX_INPUT_DEPTH = 32;

/**
 * Field errors for what no DTO can hold but would fail later as a 500: strings with U+0000, and nesting deeper than
 * MAX_INPUT_DEPTH (class-transformer and class-validator recurse, and run out of stack). Walks with its own stack.
 */
function unacceptableInput(value: unknown, root: string): ProblemFieldError[] {
  const found: ProblemFieldError[] = [];
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value: item, path, depth } = next;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) found.push({ field: path, message: `${path || 'value'} ${NUL_MESSAGE}` });
    } else if (typeof item === 'object' && item !== null) {
      if (depth >= MAX_INPUT_DEPTH) {
        found.push({
          field: path,
          message: `${path || 'value'} is nested more than ${MAX_INPUT_DEPTH} levels deep`,
        });
        continue;
      }
      for (const [key, child] of Object.entries(item)) {
        pending.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
      }
    }
  }
  return found.reverse();
}

/**
 * PostgreSQL cannot store U+0000 in text or jsonb, nor compare with it: a NUL that reached a query would fail
 * there as a 500. No field of this API means it, so any string holding one is refused as a field error first, as
 * is a body nested too deeply to validate.
 */
class ApiValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const errors = unacceptableInput(value, metadata.type === 'body' ? '' : (metadata.data ?? ''));
      if (errors.length > 0) throw invalid(errors.map((e) => e.message).join('; '), errors);
    }
    return super.transform(value, metadata);
  }
}

/** The one validation pipe: unknown fields are refused, values are converted to their declared types. */
export function createValidationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    ...VALIDATOR_OPTIONS,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: validationProblem,
  });
}
