/**
 * A broken business rule. The API maps each kind to a problem type; the domain never knows about HTTP.
 * `kind` says what went wrong in general; `code` is the stable, specific reason.
 */
export type DomainErrorKind = 'conflict' | 'invalid' | 'not_found' | 'forbidden';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
