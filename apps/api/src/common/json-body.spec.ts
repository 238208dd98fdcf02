import type { FastifyRequest } from 'fastify';
import {
  inexactNumberAt,
  MAX_ARRAY_ITEMS,
  MAX_BODY_DEPTH,
  MAX_OBJECT_MEMBERS,
  parseJsonBody,
  refusedBody,
  scanJsonText,
} from './json-body';

/** Runs the content-type parser's body with JSON.parse standing in for Fastify's parser. */
function parseBody(text: string): { request: FastifyRequest; body: unknown; error: Error | null } {
  const request = {} as FastifyRequest;
  let outcome: { body: unknown; error: Error | null } = { body: undefined, error: null };
  parseJsonBody(
    request,
    text,
    (_request, raw, done) => {
      try {
        done(null, JSON.parse(raw));
      } catch (error) {
        done(error as Error);
      }
    },
    (error, body) => (outcome = { error, body }),
  );
  return { request, ...outcome };
}

const wideObject = (members: number) =>
  `{${Array.from({ length: members }, (_, i) => `"k${i}":${i}`).join(',')}}`;
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('JSON body limits', () => {
  it('passes an object of exactly the most members, an array of the most items and the deepest nesting', () => {
    expect(scanJsonText(wideObject(MAX_OBJECT_MEMBERS)).refusal).toBeUndefined();
    expect(
      scanJsonText(JSON.stringify(Array.from({ length: MAX_ARRAY_ITEMS }, () => ({})))).refusal,
    ).toBeUndefined();
    expect(scanJsonText(nested(MAX_BODY_DEPTH)).refusal).toBeUndefined();
  });

  it('refuses one member, item or level more with a 413 problem naming the limit', () => {
    const wide = scanJsonText(`{"a":${wideObject(MAX_OBJECT_MEMBERS + 1)}}`).refusal;
    expect(wide?.toProblem()).toMatchObject({ status: 413, code: 'body-too-wide' });
    expect(wide?.message).toContain('more than 1000 members');
    const long = scanJsonText(
      `[${Array.from({ length: MAX_ARRAY_ITEMS + 1 }, () => '1').join(',')}]`,
    ).refusal;
    expect(long?.toProblem()).toMatchObject({ status: 413, code: 'body-too-wide' });
    expect(long?.message).toContain('more than 1000 items');
    const deep = scanJsonText(nested(MAX_BODY_DEPTH + 1)).refusal;
    expect(deep?.toProblem()).toMatchObject({ status: 413, code: 'body-too-deep' });
  });

  it('does not count commas, brackets or digits inside strings, escaped quotes included', () => {
    const text = JSON.stringify({
      a: ','.repeat(5000),
      b: '['.repeat(100),
      c: 'say \\"{[' + ','.repeat(2000) + '"',
      d: '9007199254740993',
    });
    expect(scanJsonText(text)).toEqual({ inexact: false });
  });

  it('leaves a refused body unparsed and keeps its refusal for the request', () => {
    const { request, body, error } = parseBody(wideObject(60_000));
    expect(error).toBeNull();
    expect(body).toBeUndefined();
    expect(refusedBody(request)?.toProblem()).toMatchObject({ status: 413, code: 'body-too-wide' });
  });
});

describe('JSON numbers that JSON.parse would round', () => {
  it.each([
    ['an integer beyond 2^53', '9007199254740993'],
    ['a decimal with more digits than a double keeps', '0.10000000000000001'],
    ['a number that overflows', '1e400'],
    ['a number that underflows to zero', '1e-400'],
    ['a big integer written with an exponent', '1e20'],
  ])('finds %s', (_case, number) => {
    expect(scanJsonText(`{"q":${number}}`).inexact).toBe(true);
  });

  it.each([
    ['a safe integer', '9007199254740991'],
    ['fifteen significant digits', '123456789.123456'],
    ['an exact value written with trailing zeros', '1.50000000000000000000'],
    ['a small exponent', '1.5e2'],
    ['a negative decimal', '-0.000001'],
  ])('lets through %s', (_case, number) => {
    expect(scanJsonText(`{"q":${number}}`).inexact).toBe(false);
  });

  it('marks each rounded number on the object holding it, with its text and what JSON.parse made of it', () => {
    const { body } = parseBody(
      '{"events":[{"quantity":9007199254740993},{"quantity":"9007199254740993"},{"quantity":2}],' +
        '"tiers":[1, 0.10000000000000001]}',
    );
    const { events, tiers } = body as { events: object[]; tiers: unknown[] };
    expect(inexactNumberAt(events[0], 'quantity')).toEqual({
      text: '9007199254740993',
      readAs: '9007199254740992',
    });
    expect(inexactNumberAt(events[1], 'quantity')).toBeUndefined();
    expect(inexactNumberAt(events[2], 'quantity')).toBeUndefined();
    expect(inexactNumberAt(tiers, '1')).toEqual({ text: '0.10000000000000001', readAs: '0.1' });
    expect(inexactNumberAt(tiers, '0')).toBeUndefined();
  });

  it('follows JSON.parse on a repeated key: the last value is the one judged', () => {
    const first = parseBody('{"q":9007199254740993,"q":1}').body as object;
    expect(inexactNumberAt(first, 'q')).toBeUndefined();
    const last = parseBody('{"q":1,"q":9007199254740993}').body as object;
    expect(inexactNumberAt(last, 'q')?.text).toBe('9007199254740993');
  });

  it('leaves malformed JSON to the JSON parser', () => {
    const { error } = parseBody('{"q":9007199254740993,');
    expect(error).toBeInstanceOf(SyntaxError);
  });
});
