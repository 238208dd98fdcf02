import { api } from './client';
import { unwrap } from './problem';

/** Names for the ids GET /auth/me returns, so screens speak of "Norfolk County Council", not a UUID. */
export async function organisationName(id: string, signal?: AbortSignal): Promise<string> {
  const organisation = unwrap(
    await api.GET('/api/v1/organisations/{id}', { params: { path: { id } }, signal }),
  );
  return organisation.name;
}

export async function consortiumName(id: string, signal?: AbortSignal): Promise<string> {
  const consortium = unwrap(await api.GET('/api/v1/consortia/{id}', { params: { path: { id } }, signal }));
  return consortium.name;
}
