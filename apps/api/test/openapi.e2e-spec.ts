import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from '../src/openapi';
import { createTestApp, TestApp } from './support/test-app';

const COMMITTED = join(__dirname, '..', 'openapi.json');

describe('OpenAPI document', () => {
  let test: TestApp;
  beforeAll(async () => (test = await createTestApp()));
  afterAll(() => test.close());

  it('is committed as apps/api/openapi.json and matches the code (npm run openapi:update regenerates it)', () => {
    const generated = JSON.parse(JSON.stringify(buildOpenApiDocument(test.app)));
    if (process.env.UPDATE_OPENAPI === '1')
      writeFileSync(COMMITTED, JSON.stringify(generated, null, 2) + '\n');
    const committed = JSON.parse(readFileSync(COMMITTED, 'utf8'));
    expect(generated).toEqual(committed);
  });

  it('describes every operation with the problem responses and the auth schemes', () => {
    const document = buildOpenApiDocument(test.app);
    const operations = Object.values(document.paths).flatMap((path) => Object.values(path));
    expect(operations.length).toBeGreaterThan(0);
    for (const operation of operations as { responses: Record<string, unknown> }[]) {
      expect(operation.responses).toHaveProperty('400');
      expect(operation.responses).toHaveProperty('500');
    }
    expect(Object.keys(document.components?.securitySchemes ?? {})).toEqual(['bearer', 'api-key']);
  });

  it('says how to call each operation: anonymously, with a bearer token, or also with a scoped API key', () => {
    const document = buildOpenApiDocument(test.app);
    expect(document.paths['/api/v1/health'].get?.security).toEqual([]);
    expect(document.paths['/api/v1/auth/login'].post?.security).toEqual([]);
    expect(document.paths['/api/v1/users'].post?.security).toEqual([{ bearer: [] }]);
    const me = document.paths['/api/v1/auth/me'].get as unknown as Record<string, unknown>;
    expect(me.security).toEqual([{ bearer: [] }, { 'api-key': [] }]);
    const services = document.paths['/api/v1/services'].get as unknown as Record<string, unknown>;
    expect(services['x-api-key-scopes']).toEqual(['catalogue:read']);
  });

  it('states the rate-limit headers on limited operations only, and when to retry after a 429', () => {
    const document = buildOpenApiDocument(test.app) as unknown as {
      paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>>;
    };
    const services = document.paths['/api/v1/services'].get.responses;
    expect(Object.keys(services['200'].headers ?? {})).toEqual([
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'RateLimit-Policy',
    ]);
    expect(services['429'].headers).toHaveProperty('Retry-After');
    expect(services['500'].headers).toBeUndefined();
    // @NoRateLimit(): health probes and sign-in (which limits failed attempts on its own).
    expect(document.paths['/api/v1/health'].get.responses['200'].headers).toBeUndefined();
    expect(document.paths['/api/v1/auth/login'].post.responses['200'].headers).toBeUndefined();
  });

  it('documents path parameters parsed by ParseUUIDPipe as UUIDs of 36 characters', () => {
    const document = buildOpenApiDocument(test.app);
    const parameters = (document.paths['/api/v1/services/{id}'].get?.parameters ?? []) as {
      name: string;
      schema: unknown;
    }[];
    expect(parameters.find((p) => p.name === 'id')?.schema).toEqual({
      type: 'string',
      format: 'uuid',
      maxLength: 36,
    });
  });
});
