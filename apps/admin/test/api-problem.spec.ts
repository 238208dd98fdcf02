import { HttpError } from 'ra-core';
import { ApiProblem, unwrap } from '../src/api/problem';

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
