import { HttpStatus } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { isLosslessNumber, isSafeNumber, parse as parseLosslessJson } from 'lossless-json';
import { ProblemException } from './problem';

/*
 * Request bodies are judged on their raw text before JSON.parse, in one pass that skips over strings:
 *
 * - Shape. Parsing a 60,000-member object takes tens of milliseconds and validating it seconds, all on the event
 *   loop, so a body nested or spread wider than any request of this API needs is refused unparsed. No DTO nests
 *   half as deep (a price plan's tiers are four levels down) and no object has more than a few dozen members;
 *   the widest array is a usage batch (1,000 events).
 * - Numbers. JSON.parse rounds a number it cannot represent exactly (9007199254740993 becomes 9007199254740992,
 *   0.10000000000000001 becomes 0.1), and Node 20 cannot show a reviver the source text. Every number token with
 *   more than 15 digits or an exponent (the only ones that can round) is checked exactly; when one would round,
 *   the body is parsed a second time keeping number texts (lossless-json), and the rounded values are marked on
 *   the objects holding them, so validation refuses them by field (inexactNumberAt) instead of using the
 *   rounded value. Bodies without such a token (all but a few) pay for the scan only.
 */

/** The most containers (objects and arrays) a body may nest, the root included. */
export const MAX_BODY_DEPTH = 32;
/** The most members an object in a body may have. */
export const MAX_OBJECT_MEMBERS = 1_000;
/** The most items an array in a body may have: a usage batch's 1,000 events. */
export const MAX_ARRAY_ITEMS = 1_000;

/** A number as sent and as JSON.parse read it, when the two differ. */
export interface InexactNumber {
  /** The number's text in the body, e.g. `9007199254740993`. */
  readonly text: string;
  /** What JSON.parse made of it, e.g. `9007199254740992`. */
  readonly readAs: string;
}

const INEXACT_NUMBERS = new WeakMap<object, Map<string, InexactNumber>>();
const REFUSED_BODIES = new WeakMap<object, ProblemException>();

/** The number sent as `holder[key]`, when JSON.parse could not read it exactly. */
export function inexactNumberAt(holder: object, key: string): InexactNumber | undefined {
  return INEXACT_NUMBERS.get(holder)?.get(key);
}

/** Every inexact number held directly by this object or array, by key. */
export function inexactNumbersOf(holder: object): ReadonlyMap<string, InexactNumber> | undefined {
  return INEXACT_NUMBERS.get(holder);
}

/**
 * The refusal of this request's body, when its shape was over the limits. The body is left unparsed and the
 * refusal is answered by RateLimitGuard, once the request is counted against its caller's budget.
 */
export function refusedBody(request: object): ProblemException | undefined {
  return REFUSED_BODIES.get(request);
}

const tooLarge = (code: string, detail: string) =>
  new ProblemException(HttpStatus.PAYLOAD_TOO_LARGE, 'payload-too-large', detail, { code });

interface Scan {
  /** Set when the body's shape is over a limit. */
  readonly refusal?: ProblemException;
  /** Whether some number token cannot be read exactly. */
  readonly inexact: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** Index of the quote closing the string that opens at `start`, or -1 (malformed JSON: JSON.parse reports it). */
function endOfString(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  while (end !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}

/** One pass over the text: nesting, members per object, items per array, and number tokens that would round. */
export function scanJsonText(text: string): Scan {
  // Separators seen so far in each open container (members are separators + 1), and whether it is an object.
  const separators: number[] = [];
  const isObject: boolean[] = [];
  let inexact = false;
  const length = text.length;
  for (let i = 0; i < length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = endOfString(text, i);
      if (end === -1) break;
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (separators.length >= MAX_BODY_DEPTH) {
        return {
          inexact,
          refusal: tooLarge(
            'body-too-deep',
            `The body is nested more than ${MAX_BODY_DEPTH} levels deep (objects and arrays within each other)`,
          ),
        };
      }
      separators.push(0);
      isObject.push(c === OPEN_BRACE);
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      separators.pop();
      isObject.pop();
    } else if (c === COMMA && separators.length > 0) {
      const top = separators.length - 1;
      separators[top] += 1;
      const limit = isObject[top] ? MAX_OBJECT_MEMBERS : MAX_ARRAY_ITEMS;
      if (separators[top] >= limit) {
        return {
          inexact,
          refusal: tooLarge(
            'body-too-wide',
            isObject[top]
              ? `An object in the body has more than ${MAX_OBJECT_MEMBERS} members`
              : `An array in the body has more than ${MAX_ARRAY_ITEMS} items`,
          ),
        };
      }
    } else if (c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9)) {
      // A number token: digits, sign, point, exponent. Up to 15 significant digits always read back exactly.
      let end = i + 1;
      let digits = c === MINUS ? 0 : 1;
      let exponent = false;
      for (; end < length; end += 1) {
        const d = text.charCodeAt(end);
        if (d >= DIGIT_0 && d <= DIGIT_9) digits += 1;
        else if (d === 0x65 || d === 0x45) exponent = true;
        else if (d !== 0x2e && d !== 0x2b && d !== MINUS) break;
      }
      if (!inexact && (digits > 15 || exponent) && !exactlyRepresentable(text.slice(i, end))) inexact = true;
      i = end - 1;
    }
  }
  return { inexact };
}

/**
 * Whether JSON.parse reads this number token back as the same value: lossless-json's isSafeNumber (also false
 * for integers beyond 2^53 - 1, however they are written, and for overflow to Infinity or underflow to 0).
 */
function exactlyRepresentable(token: string): boolean {
  try {
    return isSafeNumber(token);
  } catch {
    return true; // not a number at all: JSON.parse refuses the body
  }
}

/**
 * Marks, on the parsed body, each number that JSON.parse rounded: the body is parsed again keeping number texts
 * (lossless-json, duplicate keys resolved as JSON.parse does: the last wins) and both trees are walked together.
 * Only called after the shape scan passed, so the recursion of lossless-json is at most MAX_BODY_DEPTH deep.
 */
function markInexactNumbers(text: string, parsed: unknown): void {
  const lossless = parseLosslessJson(text, undefined, { onDuplicateKey: ({ newValue }) => newValue });
  const pending: [unknown, unknown][] = [[lossless, parsed]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [exact, read] = next as [Record<string, unknown>, Record<string, unknown>];
    if (typeof exact !== 'object' || exact === null || typeof read !== 'object' || read === null) continue;
    for (const key of Object.keys(exact)) {
      const value = exact[key];
      if (isLosslessNumber(value)) {
        if (!exactlyRepresentable(value.value)) {
          let marks = INEXACT_NUMBERS.get(read);
          if (!marks) INEXACT_NUMBERS.set(read, (marks = new Map()));
          marks.set(key, { text: value.value, readAs: String(read[key]) });
        }
      } else if (typeof value === 'object' && value !== null) {
        pending.push([value, read[key]]);
      }
    }
  }
}

type Done = (error: Error | null, body?: unknown) => void;
type JsonParser = (request: FastifyRequest, text: string, done: Done) => void;

/**
 * The JSON content-type parser's body: scans the text, leaves a body over the shape limits unparsed (its refusal
 * is kept for RateLimitGuard), parses the rest with Fastify's own parser and marks the numbers it rounded.
 */
export function parseJsonBody(request: FastifyRequest, text: string, parse: JsonParser, done: Done): void {
  const scan = scanJsonText(text);
  if (scan.refusal) {
    REFUSED_BODIES.set(request, scan.refusal);
    done(null, undefined);
    return;
  }
  parse(request, text, (error, body) => {
    if (error) return done(error);
    if (scan.inexact) markInexactNumbers(text, body);
    done(null, body);
  });
}
