import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * Clickjacking, MIME sniffing and leaking addresses through the Referer header, tried on every kind of answer: the
 * admin UI's files, the API's JSON and problem documents, the API docs, metrics and unknown paths.
 */
describe('security headers', () => {
  let test: TestApp;
  let uiDir: string;

  beforeAll(async () => {
    // A stand-in for the built admin UI (the browser specs load the real build under the same headers).
    uiDir = mkdtempSync(join(tmpdir(), 'admin-ui-'));
    writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>Consortium shared services</title>');
    test = await createTestApp({ ADMIN_UI_DIR: uiDir });
  });
  afterAll(async () => {
    await test.close();
    rmSync(uiDir, { recursive: true, force: true });
  });

  function expectProtected(response: Response) {
    expect(response.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  }

  it.each([
    ['the admin UI', '/', 200],
    ['the admin UI’s index file', '/index.html', 200],
    ['an API answer', '/api/v1/health', 200],
    ['a refusal (problem document)', '/api/v1/auth/me', 401],
    ['an unknown path', '/no-such-page', 404],
    ['the API docs (Swagger UI)', '/api/docs', 200],
    ['the OpenAPI document', '/api/docs/openapi.json', 200],
    ['the metrics', '/metrics', 200],
  ])('protects %s: no sniffing, no referrer, never in a frame', async (_label, path, status) => {
    const response = await test.http().get(path).expect(status);

    expectProtected(response);
  });

  it('lets pages run scripts only from their own origin, and embed no plugins', async () => {
    const response = await test.http().get('/').expect(200);

    const directives = Object.fromEntries(
      String(response.headers['content-security-policy'])
        .split(';')
        .map((directive) => directive.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['base-uri']).toEqual(["'self'"]);
    expect(directives['connect-src']).toEqual(["'self'"]);
  });

  it('sends no Strict-Transport-Security outside production (a developer’s http://localhost must not be pinned to https)', async () => {
    const response = await test.http().get('/api/v1/health').expect(200);

    expect(response.headers['strict-transport-security']).toBeUndefined();
  });
});
