import { constantTimeEqual } from '@consortium/auth';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { problem } from '../../common/problem';
import { MetricsService } from './metrics.service';

export const METRICS_PATH = '/metrics';

/**
 * Times every request (labelled by its route template, never the raw URL) and serves `GET /metrics` straight
 * from Fastify: outside /api/v1, the guards and the OpenAPI document, because Prometheus is not an API client.
 * With a token configured, a scrape must present it as a bearer token.
 */
export function registerMetrics(app: NestFastifyApplication, token: string | undefined): void {
  const metrics = app.get(MetricsService);
  const fastify = app.getHttpAdapter().getInstance();

  fastify.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(
      request.method,
      request.routeOptions.url,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

  fastify.get(METRICS_PATH, async (request, reply) => {
    const presented = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (token && !(presented && constantTimeEqual(presented, token))) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .type('application/problem+json')
        .send(
          problem(401, 'unauthenticated', 'The metrics endpoint needs its bearer token', {
            requestId: request.id,
          }),
        );
    }
    const { contentType, body } = await metrics.exposition();
    return reply.type(contentType).send(body);
  });
}
