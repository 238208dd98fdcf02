import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateBy, ValidateIf } from 'class-validator';
import { type InexactNumber, inexactNumbersOf } from './json-body';
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

/**
 * A map (an object of free keys) holds at most `max` entries: the check behind an OpenAPI `maxProperties`, which
 * class-validator lacks.
 */
export const MaxProperties = (max: number) =>
  ValidateBy({
    name: 'maxProperties',
    constraints: [max],
    validator: {
      validate: (value: unknown) =>
        typeof value !== 'object' || value === null || Object.keys(value).length <= max,
      defaultMessage: (args) => `${args?.property ?? 'value'} may have at most ${max} entries`,
    },
  });

/** The options every validation uses: unknown fields are refused. */
export const VALIDATOR_OPTIONS = { whitelist: true, forbidNonWhitelisted: true } as const;

const NUL_MESSAGE = 'must not contain the NUL character (\\u0000)';
/**
 * Names of Object.prototype's members (toString, constructor, valueOf…): class-transformer skips a property whose
 * name the DTO class inherits as a method, so whitelisting never sees it and it would be silently ignored. No
 * field or map key of this API is named so: they are refused like any unknown property.
 */
const PROTOTYPE_MEMBER_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

const inexactMessage = (field: string, number: InexactNumber) =>
  `${field} ${number.text} cannot be represented exactly as a JSON number (it would be read as ${number.readAs}): ` +
  'send exact values as decimal strings';

/**
 * Field errors for what no DTO can hold but validation would misread or fail on later as a 500: strings with
 * U+0000 and, when the value is to become a DTO (`forDto`), properties named like Object.prototype's members and
 * numbers JSON.parse rounded (marked by common/json-body.ts). Bodies too deep or too wide never get here
 * (json-body.ts refuses them unparsed); the walk keeps its own stack all the same.
 */
function unacceptableInput(value: unknown, root: string, forDto: boolean): ProblemFieldError[] {
  const found: ProblemFieldError[] = [];
  const pending: { value: unknown; path: string }[] = [{ value, path: root }];
  const at = (path: string, key: string) => (path ? `${path}.${key}` : key);
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value: item, path } = next;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) found.push({ field: path, message: `${path || 'value'} ${NUL_MESSAGE}` });
    } else if (typeof item === 'object' && item !== null) {
      const isArray = Array.isArray(item);
      for (const [key, number] of (forDto && inexactNumbersOf(item)) || []) {
        found.push({ field: at(path, key), message: inexactMessage(at(path, key), number) });
      }
      for (const [key, child] of Object.entries(item)) {
        if (forDto && !isArray && PROTOTYPE_MEMBER_NAMES.has(key)) {
          found.push({ field: at(path, key), message: `property ${key} should not exist` });
        } else if (typeof child === 'string' || (typeof child === 'object' && child !== null)) {
          pending.push({ value: child, path: at(path, key) });
        }
      }
    }
  }
  return found.reverse();
}

/**
 * PostgreSQL cannot store U+0000 in text or jsonb, nor compare with it: a NUL that reached a query would fail
 * there as a 500. No field of this API means it, so any string holding one is refused as a field error first, as
 * are properties validation would not see and, where the value is validated against a DTO, rounded numbers (a
 * value taken without a DTO, such as a usage batch, is judged by its own pipe, event by event).
 */
class ApiValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const root = metadata.type === 'body' ? '' : (metadata.data ?? '');
      const errors = unacceptableInput(value, root, this.toValidate(metadata));
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
