import { fieldMessageInWords, messageFor, problemText } from '../src/api/problem-text';

describe('API problems shown to people', () => {
  it('says what was wrong with each field of an invalid request', () => {
    const text = problemText(400, {
      type: 'urn:consortium:problem:validation-error',
      title: 'Your request is not valid',
      status: 400,
      detail: 'Some fields are not valid',
      errors: [
        { field: 'email', message: 'email must be an email' },
        { field: 'contact.phone', message: 'contact.phone is too long' },
      ],
    });

    expect(text.message).toBe(
      'Some fields are not valid. email: email must be an email; contact.phone: contact.phone is too long.',
    );
    expect(text.errors).toHaveLength(2);
  });

  it('uses the title when there is no detail, and a title from the status when the body is not a problem', () => {
    expect(
      problemText(409, { type: 'urn:x', title: 'Conflict with the current state', status: 409 }).message,
    ).toBe('Conflict with the current state.');
    expect(problemText(403, 'Forbidden').message).toBe('You are not allowed to do this.');
    expect(problemText(418, undefined).message).toBe('Something went wrong.');
  });

  it('hides server faults behind an apology with the reference to quote', () => {
    const text = problemText(500, {
      type: 'urn:consortium:problem:internal',
      title: 'Unexpected error',
      status: 500,
      detail: 'QueryFailedError: relation "x" does not exist',
      requestId: 'req-123',
    });

    expect(text.message).toBe(
      'Something went wrong on our side. Please try again. If it keeps happening, quote reference req-123.',
    );
  });

  it('explains an unreachable server, and otherwise passes an error’s own words on', () => {
    expect(messageFor(new TypeError('Failed to fetch'))).toBe(
      'The server could not be reached. Check your connection and try again.',
    );
    expect(messageFor(new Error('The email or password is not right.'))).toBe(
      'The email or password is not right.',
    );
    expect(messageFor(undefined)).toBe('Something went wrong. Please try again.');
  });

  it('says a refused field in words for under its input: no property name, days as people write them', () => {
    expect(fieldMessageInWords('effectiveFrom', 'effectiveFrom must be today (2026-12-01) or later')).toBe(
      'Must be today (1 Dec 2026) or later.',
    );
    expect(fieldMessageInWords('contacts.0.email', 'email must be an email')).toBe('Must be an email.');
    expect(fieldMessageInWords('reason', 'A reason is needed.')).toBe('A reason is needed.');
  });

  it('writes the days in a problem the UK way, leaving instants and references alone', () => {
    const text = problemText(400, {
      title: 'Your request is not valid',
      detail: 'A quantity change cannot take effect before the subscription starts',
      errors: [{ field: 'effectiveFrom', message: 'effectiveFrom must be on or after 2027-01-01' }],
    });
    expect(text.message).toBe(
      'A quantity change cannot take effect before the subscription starts. effectiveFrom: effectiveFrom must be on or after 1 Jan 2027.',
    );
    expect(
      problemText(409, { detail: 'Run 2026-12-01T10:00:00Z of ECIC-2026-Q4-0013 is running' }).message,
    ).toBe('Run 2026-12-01T10:00:00Z of ECIC-2026-Q4-0013 is running.');
  });
});
