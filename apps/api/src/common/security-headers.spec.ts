import Fastify from 'fastify';
import { registerSecurityHeaders } from './security-headers';

async function headersUnder(nodeEnv: 'production' | 'development' | 'test') {
  const app = Fastify();
  registerSecurityHeaders(app, { NODE_ENV: nodeEnv });
  app.get('/', async () => ({ ok: true }));
  try {
    return (await app.inject({ method: 'GET', url: '/' })).headers;
  } finally {
    await app.close();
  }
}

describe('securityHeaders', () => {
  it('tells browsers to use https only, subdomains too, for a year in production', async () => {
    expect((await headersUnder('production'))['strict-transport-security']).toBe(
      'max-age=31536000; includeSubDomains',
    );
  });

  it('leaves Strict-Transport-Security out elsewhere', async () => {
    for (const nodeEnv of ['development', 'test'] as const) {
      expect((await headersUnder(nodeEnv))['strict-transport-security']).toBeUndefined();
    }
  });

  it('never lets a page be framed, nor upgrades plain-http requests', async () => {
    const headers = await headersUnder('production');
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });
});
