import { HttpError } from 'ra-core';
import { type FieldError, fieldMessages, formErrors, problemText } from './problem-text';

export { messageFor } from './problem-text';

/**
 * An error answered by the API, carrying the problem document so screens can show it in words.
 * It is react-admin's HttpError, so react-admin's notifications and checkError see the message and the status.
 * Its `body` is the problem document, except that field errors are keyed by field (see formErrors) as react-admin's
 * Create and Edit forms read them, so every form shows the API's messages under its inputs; the list stays `errors`.
 */
export class ApiProblem extends HttpError {
  readonly title: string;
  readonly detail?: string;
  readonly errors: FieldError[];
  readonly requestId?: string;

  constructor(status: number, body: unknown) {
    const text = problemText(status, body);
    const keyed = formErrors(text);
    super(text.message, status, keyed ? { ...(body as object), errors: keyed } : body);
    // HttpError's constructor pins the prototype to HttpError's: restore ours, or `instanceof ApiProblem` is false.
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = 'ApiProblem';
    this.title = text.title;
    this.detail = text.detail;
    this.errors = text.errors;
    this.requestId = text.requestId;
  }
}

/** Unwraps an openapi-fetch result: the data, or an ApiProblem made from the error body. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    throw new ApiProblem(result.response.status, result.error);
  }
  return result.data as T;
}

/**
 * A refusal's field errors in words, by field (as react-admin forms get them), for a dialog that shows each under
 * its own input; empty for any other error.
 */
export function fieldProblems(error: unknown): Record<string, string> {
  return error instanceof ApiProblem ? fieldMessages(error.errors) : {};
}

/** The stable reason of an API refusal (`charge-run-in-progress`, `period-not-ready-to-close`…); undefined otherwise. */
export function problemCode(error: unknown): string | undefined {
  if (!(error instanceof ApiProblem)) return undefined;
  const code = (error.body as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
