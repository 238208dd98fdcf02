/** How an API problem (RFC 9457) reads to a person. Plain TypeScript, so it is unit-tested without a browser. */

export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemText {
  title: string;
  detail?: string;
  errors: FieldError[];
  requestId?: string;
  /** One or two sentences for a notification or an alert. */
  message: string;
}

const FALLBACK_TITLES: Record<number, string> = {
  400: 'Your request is not valid',
  401: 'You need to sign in',
  403: 'You are not allowed to do this',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Request too large',
  422: 'The request cannot be processed',
  429: 'Too many attempts',
};

const NETWORK_FAILURE = /failed to fetch|networkerror|load failed|network request failed/i;

const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

function field(value: unknown, name: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const found = (value as Record<string, unknown>)[name];
  return typeof found === 'string' ? found : undefined;
}

function fieldErrors(body: unknown): FieldError[] {
  const errors =
    typeof body === 'object' && body !== null ? (body as { errors?: unknown }).errors : undefined;
  if (!Array.isArray(errors)) return [];
  return errors.filter(
    (e): e is FieldError =>
      typeof e === 'object' && e !== null && typeof e.field === 'string' && typeof e.message === 'string',
  );
}

/**
 * Reads a response body that should be a problem document (anything else gets a title from the status) into
 * words: the detail (or title), what was wrong with each field, and for server faults an apology with the
 * reference to quote rather than the server's internals.
 */
export function problemText(status: number, body: unknown): ProblemText {
  const title = field(body, 'title') ?? FALLBACK_TITLES[status] ?? 'Something went wrong';
  const detail = field(body, 'detail');
  const requestId = field(body, 'requestId');
  const errors = fieldErrors(body);
  let message: string;
  if (status >= 500) {
    const reference = requestId ? ` If it keeps happening, quote reference ${requestId}.` : '';
    message = `Something went wrong on our side. Please try again.${reference}`;
  } else {
    const parts = [sentence(detail && detail !== title ? detail : title)];
    if (errors.length > 0) parts.push(sentence(errors.map((e) => `${e.field}: ${e.message}`).join('; ')));
    message = parts.join(' ');
  }
  return { title, detail, errors, requestId, message };
}

/** What react-admin's forms read from an HttpError's `body.errors`: messages keyed by input source, and the root. */
export interface FormErrors {
  [source: string]: string | { serverError: string };
  root: { serverError: string };
}

/**
 * The API's field errors as react-admin's forms take them (ra-core setSubmissionErrors): each message under its
 * field's dotted path, which is the input's `source` when the form sends what it shows (`contact.email`,
 * `pricePlan.tiers.0.upTo`), and the whole problem as the root message, which the form notifies, so a field the
 * form has no input for is still said. Undefined without field errors, so other refusals notify as they always did.
 */
export function formErrors(text: ProblemText): FormErrors | undefined {
  if (text.errors.length === 0) return undefined;
  const keyed: FormErrors = { root: { serverError: text.message } };
  for (const { field, message } of text.errors) {
    if (field === 'root') continue;
    const earlier = keyed[field];
    keyed[field] = typeof earlier === 'string' ? `${earlier}; ${message}` : message;
  }
  return keyed;
}

/** The message for any error a screen may meet: API problems (already in words), an unreachable server, a bug. */
export function messageFor(error: unknown): string {
  if (error instanceof TypeError && NETWORK_FAILURE.test(error.message)) {
    return 'The server could not be reached. Check your connection and try again.';
  }
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Please try again.';
}
