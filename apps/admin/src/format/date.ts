/** Dates as people in the UK write them. The API sends calendar dates as `YYYY-MM-DD` and instants as ISO 8601. */

const LONG = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});
const NUMERIC = new Intl.DateTimeFormat('en-GB', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  timeZone: 'UTC',
});
const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/London',
});

function toDate(value: string | Date): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  // A bare calendar date is a day, not midnight somewhere: read it as UTC so no time zone moves it.
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "1 Dec 2026" for a calendar date or an instant (the day of a calendar date never shifts). */
export function formatDate(value: string | Date | null | undefined): string {
  if (value == null || value === '') return '—';
  const date = toDate(value);
  return date ? LONG.format(date) : String(value);
}

/** "01/12/2026". */
export function formatDateNumeric(value: string | Date | null | undefined): string {
  if (value == null || value === '') return '—';
  const date = toDate(value);
  return date ? NUMERIC.format(date) : String(value);
}

/** "1 Dec 2026, 09:30" in UK time, for instants (audit events, payments, notifications). */
export function formatDateTime(value: string | Date | null | undefined): string {
  if (value == null || value === '') return '—';
  const date = toDate(value);
  return date ? DATE_TIME.format(date) : String(value);
}

/** "1 Jan 2027 – 31 Mar 2027". */
export function formatDateRange(start: string, end: string): string {
  return `${formatDate(start)} – ${formatDate(end)}`;
}
