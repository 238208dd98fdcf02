import fastifyStatic from '@fastify/static';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { parseJsonBody } from './common/json-body';
import { answerClientError, ProblemFilter } from './common/problem.filter';
import { registerSecurityHeaders } from './common/security-headers';
import { createValidationPipe } from './common/validation';
import type { Environment } from './config/environment';
import { RuntimeConfig } from './config/runtime-config';
import { registerMetrics } from './modules/metrics/metrics.http';
import { buildOpenApiDocument } from './openapi';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Never trust X-Forwarded-For from anyone by default: it would let a client dodge the sign-in rate limit. */
function trustProxySetting(value: string): boolean | string[] {
  if (value === 'true' || value === 'false') return value === 'true';
  return value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

/** The built admin UI this instance serves at `/`, or null when ADMIN_UI_DIR is empty or holds no build. */
export function adminUiDirectory(env: Environment): string | null {
  const dir = resolve(env.ADMIN_UI_DIR);
  return env.ADMIN_UI_DIR && existsSync(dir) ? dir : null;
}

/** Builds the whole API (used by main and by the tests): one configuration, no test-only paths. */
export async function createApp(
  config: RuntimeConfig,
  options: { logger?: boolean } = {},
): Promise<NestFastifyApplication> {
  const problems = new ProblemFilter();
  const adapter = new FastifyAdapter({
    bodyLimit: 2 * 1024 * 1024,
    // URLs the router refuses before any route runs (bad percent-encoding, an over-long path parameter) are
    // answered with the same problem documents as everything else, not Fastify's own JSON.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) =>
      problems.respond(error, request, reply),
    clientErrorHandler: answerClientError,
    trustProxy: trustProxySetting(config.env.TRUST_PROXY),
    // A caller's X-Request-Id is kept (sanitised) so a request can be traced across systems.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      (req as typeof req & { id?: string }).id = id;
      return id;
    },
  });
  // Bodies are JSON only: Fastify's own JSON parser (prototype poisoning refused, bodyLimit applied) and none of
  // the form or plain-text parsers Nest and Fastify add, so any other content type is a 415 problem instead of a
  // string or a bag of strings that validation would misdescribe. An empty body labelled JSON (what many clients
  // send on a POST that needs no body, e.g. /approve) is no body, not a 400. parseJsonBody refuses over-deep or
  // over-wide bodies unparsed and marks numbers JSON.parse rounds (common/json-body.ts).
  const fastify = adapter.getInstance();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser(['text/plain', 'application/json']);
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    body === '' ? done(null, undefined) : parseJsonBody(request, String(body), parseJson, done),
  );
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    abortOnError: false,
    bodyParser: false,
  });
  if (options.logger !== false) app.useLogger(app.get(Logger));
  app.setGlobalPrefix('api/v1');
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(problems);
  app.enableShutdownHooks();
  // Before any route (metrics, docs, the UI's files, the API), so every answer carries them, problems included.
  registerSecurityHeaders(fastify, config.env);
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  registerMetrics(app, config.env.METRICS_TOKEN);

  SwaggerModule.setup('api/docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'api/docs/openapi.json',
    yamlDocumentUrl: 'api/docs/openapi.yaml',
    // No badge from validator.swagger.io: the page loads nothing from elsewhere (see security-headers.ts).
    swaggerOptions: { validatorUrl: null },
  });

  const adminDir = adminUiDirectory(config.env);
  if (adminDir) {
    await app.register(fastifyStatic, { root: adminDir, prefix: '/', wildcard: false, index: 'index.html' });
  }
  await app.init();
  return app;
}
