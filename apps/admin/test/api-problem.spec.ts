import { HttpError } from 'ra-core';
import { ApiProblem, fieldProblems, problemCode, unwrap } from '../src/api/problem';

describe('an API problem thrown by the typed client', () => {
  const refusal = () =>
    unwrap({
      error: {
        type: 'urn:consortium:problem:forbidden',
        title: 'Forbidden',
        status: 403,
        detail: 'Not yours',
      },
      response: new Response(null, { status: 403 }),
    });

  it('is an ApiProblem, so screens and checkError can tell it from a network failure', () => {
    expect(refusal).toThrow(ApiProblem);
  });

  it('is also react-admin’s HttpError, with the status and the problem document as its body', () => {
    let caught: unknown;
    try {
      refusal();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HttpError);
    expect(caught).toMatchObject({ status: 403, body: { detail: 'Not yours' }, name: 'ApiProblem' });
  });
});

describe('an API validation problem met by a react-admin form', () => {
  const invalid = {
    type: 'urn:consortium:problem:validation-error',
    title: 'Your request is not valid',
    status: 422,
    detail: 'name must be shorter than or equal to 200 characters; email must be an email',
    errors: [
      { field: 'name', message: 'name must be shorter than or equal to 200 characters' },
      { field: 'contacts.0.email', message: 'email must be an email' },
      { field: 'contacts.0.email', message: 'email must be shorter than or equal to 320 characters' },
      { field: 'pricePlan.tiers.0.upTo', message: 'upTo must be a positive number' },
    ],
    requestId: 'req-42',
  };
  const problem = new ApiProblem(422, invalid);

  it('keys each field’s messages in words by its dotted path, which react-admin sets on the input of that source', () => {
    expect(problem.body.errors).toMatchObject({
      name: 'Must be shorter than or equal to 200 characters.',
      'contacts.0.email': 'Must be an email. Must be shorter than or equal to 320 characters.',
      'pricePlan.tiers.0.upTo': 'Must be a positive number.',
    });
  });

  it('gives the form only a short summary as its root message, so the toast does not repeat the inputs', () => {
    expect(problem.body.errors.root).toEqual({ serverError: 'Please correct the highlighted fields.' });
    // The problem itself still says everything, for a screen that shows it whole.
    expect(problem.message).toContain('pricePlan.tiers.0.upTo: upTo must be a positive number');
  });

  it('keeps the rest of the problem document in its body and the field errors as a list on the problem', () => {
    expect(problem.body).toMatchObject({ type: invalid.type, detail: invalid.detail, requestId: 'req-42' });
    expect(problem.errors).toEqual(invalid.errors);
    expect(problem.requestId).toBe('req-42');
  });

  it('leaves the body of a refusal without field errors as the API sent it, so it is notified as before', () => {
    const conflict = {
      type: 'urn:consortium:problem:conflict',
      title: 'Conflict',
      status: 409,
      detail: 'Taken',
    };
    expect(new ApiProblem(409, conflict).body).toEqual(conflict);
    expect(new ApiProblem(502, 'Bad Gateway').body).toBe('Bad Gateway');
  });

  it('gives a dialog the same field messages, and nothing for an error that is not an API refusal', () => {
    expect(fieldProblems(problem)).toMatchObject({
      name: 'Must be shorter than or equal to 200 characters.',
    });
    expect(fieldProblems(problem)).not.toHaveProperty('root');
    expect(fieldProblems(new TypeError('Failed to fetch'))).toEqual({});
    expect(fieldProblems(new ApiProblem(409, { title: 'Conflict', detail: 'Taken' }))).toEqual({});
  });

  it('carries the refusal’s stable code, which screens switch on (a charge run in progress, a period not ready)', () => {
    let caught: unknown;
    try {
      unwrap({
        error: {
          type: 'urn:consortium:problem:conflict',
          title: 'Conflict with the current state',
          status: 409,
          detail:
            'A charge run is recomputing the drafts of Q4 2026: wait for it to finish, then issue the charge',
          code: 'charge-run-in-progress',
        },
        response: new Response(null, { status: 409 }),
      });
    } catch (error) {
      caught = error;
    }
    expect(problemCode(caught)).toBe('charge-run-in-progress');
    expect((caught as ApiProblem).message).toBe(
      'A charge run is recomputing the drafts of Q4 2026: wait for it to finish, then issue the charge.',
    );
    expect(problemCode(new TypeError('Failed to fetch'))).toBeUndefined();
  });
});
