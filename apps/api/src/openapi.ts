import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_HEADER, OPENAPI_PUBLIC_EXTENSION, OPENAPI_SCOPES_EXTENSION } from '@consortium/auth';

const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'An RFC 9457 problem details document. `type` is stable: switch on it, not on `title`.',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', example: 'urn:consortium:problem:validation-error' },
    title: { type: 'string', example: 'Your request is not valid' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request path' },
    requestId: { type: 'string', description: 'Quote it when reporting a problem' },
    code: { type: 'string', description: 'The specific reason within the type, e.g. illegal-transition' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

const ERROR_RESPONSES: Record<string, string> = {
  '400': 'The request is not valid',
  '401': 'Not authenticated',
  '403': 'Authenticated, but not allowed',
  '404': 'Not found, or not visible to you',
  '409': 'Conflicts with the current state',
  '422': 'Breaks a business rule',
  '429': 'Too many attempts',
  '500': 'Unexpected error (logged with the request id)',
};

interface DocumentedOperation {
  responses?: Record<string, unknown>;
  security?: Record<string, string[]>[];
  [OPENAPI_PUBLIC_EXTENSION]?: boolean;
  [OPENAPI_SCOPES_EXTENSION]?: string[];
}

/** The OpenAPI document, generated from the controllers and DTOs (the @nestjs/swagger compiler plugin reads their types). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Consortium shared-services marketplace API')
    .setDescription(
      'Members of a consortium of public bodies publish and subscribe to shared services and settle cross-charges. ' +
        'Errors are RFC 9457 problem documents (application/problem+json). Lists are cursor-paginated: ' +
        '`limit` (max 200), `cursor` from `page.nextCursor`, `sort=field` or `sort=-field`.',
    )
    .setVersion('1')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'Access token from POST /auth/login',
      },
      'bearer',
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: API_KEY_HEADER,
        description: 'An API key: csk_<prefix>_<secret>',
      },
      'api-key',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA },
  };
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as DocumentedOperation[]) {
      if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue;
      // How to call it: anonymously (@Public), with a bearer token, or also with an API key holding a listed scope.
      if (operation[OPENAPI_PUBLIC_EXTENSION]) {
        operation.security = [];
        delete operation[OPENAPI_PUBLIC_EXTENSION];
      } else {
        operation.security = operation[OPENAPI_SCOPES_EXTENSION]
          ? [{ bearer: [] }, { 'api-key': [] }]
          : [{ bearer: [] }];
      }
      operation.responses ??= {};
      for (const [status, description] of Object.entries(ERROR_RESPONSES)) {
        operation.responses[status] ??= {
          description,
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        };
      }
    }
  }
  return sortEnums(document);
}

/**
 * The swagger plugin lists enums from TypeScript unions in whatever order the compiler met them, which can differ
 * between a cached and a fresh compile: sorted, the committed document is stable.
 */
function sortEnums<T>(node: T): T {
  if (Array.isArray(node)) {
    node.forEach(sortEnums);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'enum' && Array.isArray(value) && value.every((v) => typeof v === 'string')) value.sort();
      else sortEnums(value);
    }
  }
  return node;
}
