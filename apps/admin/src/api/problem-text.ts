/** How an API problem (RFC 9457) reads to a person. Plain TypeScript, so it is unit-tested without a browser. */

import { formatDate } from '../format/date';

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

/** A calendar day as the API writes it (not part of an instant, an id or a longer number). */
const ISO_DAY = /(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w:-])/g;

/** The API's `2027-01-01` as people in the UK write it: `1 Jan 2027`. */
const inUkDates = (text: string) => text.replace(ISO_DAY, (day) => formatDate(day));

/**
 * One field's refusal, in words, for under its input: the input's label already names the field, so the API's
 * leading property name goes ("effectiveFrom must be today (2026-12-01) or later" reads "Must be today
 * (1 Dec 2026) or later.") and its days are written the UK way.
 */
export function fieldMessageInWords(field: string, message: string): string {
  const name = field.split('.').pop() ?? field;
  let words = message.trim();
  const named = [field, name].find((prefix) => words.startsWith(`${prefix} `));
  if (named) words = words.slice(named.length + 1);
  words = inUkDates(words);
  return sentence(words.charAt(0).toUpperCase() + words.slice(1));
}

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
    message = inUkDates(parts.join(' '));
  }
  return { title, detail, errors, requestId, message };
}

/** What a form's toast says when the API refused some of its fields: the fields themselves say what is wrong. */
export const CORRECT_THE_FIELDS = 'Please correct the highlighted fields.';

/** What react-admin's forms read from an HttpError's `body.errors`: messages keyed by input source, and the root. */
export interface FormErrors {
  [source: string]: string | { serverError: string };
  root: { serverError: string };
}

/**
 * The API's field errors in words (fieldMessageInWords), keyed by the field's dotted path, which is the input's
 * `source` when the form sends what it shows (`contact.email`, `pricePlan.tiers.0.upTo`); a field refused twice
 * gets both sentences.
 */
export function fieldMessages(errors: FieldError[]): Record<string, string> {
  const keyed: Record<string, string> = {};
  for (const { field, message } of errors) {
    if (field === 'root') continue;
    const words = fieldMessageInWords(field, message);
    keyed[field] = keyed[field] ? `${keyed[field]} ${words}` : words;
  }
  return keyed;
}

/**
 * The API's field errors as react-admin's forms take them (ra-core setSubmissionErrors): each field's messages
 * (fieldMessages) under its input, and as the root message, which the form notifies, only a short summary, so
 * the toast does not repeat what the inputs say. Undefined without field errors, so other refusals notify their
 * whole problem as they always did.
 */
export function formErrors(text: ProblemText): FormErrors | undefined {
  if (text.errors.length === 0) return undefined;
  return { ...fieldMessages(text.errors), root: { serverError: CORRECT_THE_FIELDS } };
}

/** The message for any error a screen may meet: API problems (already in words), an unreachable server, a bug. */
export function messageFor(error: unknown): string {
  if (error instanceof TypeError && NETWORK_FAILURE.test(error.message)) {
    return 'The server could not be reached. Check your connection and try again.';
  }
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Please try again.';
}
