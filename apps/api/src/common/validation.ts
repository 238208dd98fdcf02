import { ValidationError, ValidationPipe } from '@nestjs/common';
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

/** The options every validation uses: unknown fields are refused. */
export const VALIDATOR_OPTIONS = { whitelist: true, forbidNonWhitelisted: true } as const;

/** The one validation pipe: unknown fields are refused, values are converted to their declared types. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...VALIDATOR_OPTIONS,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: validationProblem,
  });
}
