import { addDays, addMonths, type IsoDate, isoDateParts, laterDate } from '@consortium/domain';

/**
 * The last day of the initial term: the day before the same date `termMonths` later (a 12-month term from
 * 1 April 2026 runs to 31 March 2027 inclusive), or the last day of that month when it has no such date (a
 * month from 31 January runs to the end of February).
 */
export function termEndDate(startDate: IsoDate, termMonths: number): IsoDate {
  const anniversary = addMonths(startDate, termMonths);
  const clamped = isoDateParts(anniversary)[2] !== isoDateParts(startDate)[2];
  return clamped ? anniversary : addDays(anniversary, -1);
}

/**
 * The last day of service once notice is given on `noticeGivenOn`: the later of the end of the initial term and
 * the day the notice period runs out (three months' notice given on 10 May runs to 10 August; no notice period
 * means the day notice is given). Notice never cuts a term short.
 */
export function noticeEndDate(
  subscription: { startDate: IsoDate; termMonths: number; noticePeriodMonths: number },
  noticeGivenOn: IsoDate,
): IsoDate {
  return laterDate(
    termEndDate(subscription.startDate, subscription.termMonths),
    addMonths(noticeGivenOn, subscription.noticePeriodMonths),
  );
}
