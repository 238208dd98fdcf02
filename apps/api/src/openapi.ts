import { INestApplication, ParseUUIDPipe } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_HEADER, OPENAPI_PUBLIC_EXTENSION, OPENAPI_SCOPES_EXTENSION } from '@consortium/auth';
import { MAX_PAGE_SIZE } from './common/pagination';
import { NO_RATE_LIMIT } from './modules/rate-limits/no-rate-limit.decorator';

const PROBLEM_SCHEMA = {
  type: 'object',
  description: 'An RFC 9457 problem details document. `type` is stable: switch on it, not on `title`.',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string', example: 'urn:consortium:problem:validation-error' },
    title: { type: 'string', example: 'Your request is not valid' },
    status: { type: 'integer', format: 'int32', minimum: 400, maximum: 599, example: 400 },
    detail: { type: 'string' },
    instance: { type: 'string', description: 'The request path' },
    requestId: { type: 'string', description: 'Quote it when reporting a problem' },
    code: { type: 'string', description: 'The specific reason within the type, e.g. illegal-transition' },
    errors: {
      type: 'array',
      description: 'One entry per field that failed validation',
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
  '429': 'Too many requests: wait Retry-After seconds before trying again',
  '500': 'Unexpected error (logged with the request id)',
};

/**
 * The rate-limit headers (IETF draft-ietf-httpapi-ratelimit-headers) that RateLimitGuard sends on every response
 * of a limited operation once the caller is known; a request refused before that (a bad credential) has none.
 */
const INTEGER_HEADER = { type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 };
const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': {
    description: 'Requests allowed in the current window for this API key, user or anonymous client address',
    schema: INTEGER_HEADER,
  },
  'RateLimit-Remaining': { description: 'Requests left in the current window', schema: INTEGER_HEADER },
  'RateLimit-Reset': {
    description: 'Seconds until the window ends and the budget is renewed',
    schema: INTEGER_HEADER,
  },
  'RateLimit-Policy': {
    description: 'The policy: `<limit>;w=<window seconds>`, e.g. `600;w=60`',
    schema: { type: 'string', maxLength: 64, pattern: '^\\d+;w=\\d+$', example: '600;w=60' },
  },
};
const RETRY_AFTER_HEADER = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: INTEGER_HEADER },
};
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** The API is served from the host that serves this document, in every environment. */
const SERVERS = [
  {
    url: '/',
    description: 'This deployment (production, staging or local): the host serving this document',
    'x-internal': false,
  },
];

/** A UUID path parameter, checked by ParseUUIDPipe (a malformed one is a 400 validation-error problem). */
const UUID_PARAMETER_SCHEMA = { type: 'string', format: 'uuid' };

interface DocumentedParameter {
  in: string;
  name: string;
  schema?: Record<string, unknown>;
}

interface DocumentedResponse {
  description?: string;
  headers?: Record<string, unknown>;
  [field: string]: unknown;
}

interface DocumentedOperation {
  operationId?: string;
  tags?: string[];
  parameters?: DocumentedParameter[];
  responses?: Record<string, DocumentedResponse>;
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
        description:
          'Access token from POST /auth/login: a short-lived JWT signed with HS256, verified as RFC8725 advises ' +
          '(the algorithm is fixed, never taken from the token; expiry is required)',
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
  config.servers = SERVERS;
  const routes = routeFacts(app);
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Problem: PROBLEM_SCHEMA },
    headers: { ...RATE_LIMIT_HEADERS, ...RETRY_AFTER_HEADER },
  };
  const tags = new Set<string>();
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as DocumentedOperation[]) {
      if (!operation || typeof operation !== 'object' || !('responses' in operation)) continue;
      operation.tags?.forEach((tag) => tags.add(tag));
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
      const facts = routes.get(operation.operationId ?? '');
      if (!facts?.exemptFromRateLimit) documentRateLimits(operation.responses);
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'path' && facts?.uuidParams.has(parameter.name)) {
          parameter.schema = { ...parameter.schema, ...UUID_PARAMETER_SCHEMA };
        }
      }
    }
  }
  // Declared once at the top, so documentation tools group operations under them.
  document.tags = [...tags].sort().map((name) => ({ name }));
  boundPages(document.components.schemas ?? {});
  return sortEnums(boundsFromFormats(document));
}

/** A page of a list (`…PageDto`) holds at most MAX_PAGE_SIZE items: paginate() never returns more. */
function boundPages(schemas: Record<string, unknown>): void {
  for (const [name, schema] of Object.entries(schemas)) {
    const data = (schema as { properties?: Record<string, Record<string, unknown>> }).properties?.data;
    if (name.endsWith('PageDto') && data?.type === 'array') data.maxItems ??= MAX_PAGE_SIZE;
  }
}

/** Lengths that a string format fixes: a UUID is 36 characters, an RFC 3339 full-date (YYYY-MM-DD) 10. */
const FORMAT_LENGTHS: Record<string, number> = { uuid: 36, date: 10 };
const INT32_MAX = 2 ** 31 - 1;

/**
 * States what a schema's format or bounds already imply, so clients and the OWASP lint see the limits the
 * validators enforce (IsUUID, ParseUUIDPipe, the YYYY-MM-DD checks, @ArrayUnique with @IsIn, @Min/@Max): maxLength
 * for fixed-length string formats, maxItems for a set of distinct enum values, int32/int64 for bounded integers.
 */
function boundsFromFormats<T>(node: T): T {
  if (Array.isArray(node)) {
    node.forEach(boundsFromFormats);
  } else if (node && typeof node === 'object') {
    const schema = node as Record<string, unknown>;
    const length = typeof schema.format === 'string' ? FORMAT_LENGTHS[schema.format] : undefined;
    if (schema.type === 'string' && length !== undefined) schema.maxLength ??= length;
    if (schema.type === 'array' && schema.uniqueItems === true && schema.maxItems === undefined) {
      const values = (schema.items as { enum?: unknown[] } | undefined)?.enum;
      if (values) schema.maxItems = values.length;
    }
    if (schema.type === 'integer' && schema.format === undefined && typeof schema.maximum === 'number') {
      const int32 = schema.maximum <= INT32_MAX && Number(schema.minimum ?? 0) >= -INT32_MAX - 1;
      schema.format = int32 ? 'int32' : 'int64';
    }
    Object.values(schema).forEach(boundsFromFormats);
  }
  return node;
}

/** Every success and client-error response of a limited operation states the budget; a 429 also says when to retry. */
function documentRateLimits(responses: Record<string, DocumentedResponse>): void {
  for (const [status, response] of Object.entries(responses)) {
    if (!/^[24]/.test(status)) continue;
    response.headers = {
      ...response.headers,
      ...Object.fromEntries(Object.keys(RATE_LIMIT_HEADERS).map((name) => [name, headerRef(name)])),
      ...(status === '429' ? { 'Retry-After': headerRef('Retry-After') } : {}),
    };
  }
}

interface RouteFacts {
  /** Path parameters parsed by ParseUUIDPipe. */
  uuidParams: Set<string>;
  /** @NoRateLimit(): health checks and sign-in (which has its own limit on failed attempts). */
  exemptFromRateLimit: boolean;
}

interface RouteArgument {
  index: number;
  data?: unknown;
  pipes?: unknown[];
}

/**
 * What the swagger scanner cannot see, read from each handler's Nest metadata and keyed by operation id: which
 * path parameters are UUIDs and which operations the rate limiter skips. So the document follows the code.
 */
function routeFacts(app: INestApplication): Map<string, RouteFacts> {
  const facts = new Map<string, RouteFacts>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      if (typeof metatype !== 'function') continue;
      const controller = metatype as new (...args: never[]) => object;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const method of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[method];
        if (method === 'constructor' || typeof handler !== 'function') continue;
        const args: Record<string, RouteArgument> =
          Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {};
        const uuidParams = new Set(
          Object.entries(args)
            .filter(([key, arg]) => Number(key.split(':')[0]) === RouteParamtypes.PARAM && isUuidParsed(arg))
            .map(([, arg]) => String(arg.data)),
        );
        const exemptFromRateLimit =
          Reflect.getMetadata(NO_RATE_LIMIT, handler) === true ||
          Reflect.getMetadata(NO_RATE_LIMIT, controller) === true;
        facts.set(`${controller.name.replace(/Controller$/, '')}_${method}`, {
          uuidParams,
          exemptFromRateLimit,
        });
      }
    }
  }
  return facts;
}

const isUuidParsed = (arg: RouteArgument) =>
  typeof arg.data === 'string' &&
  (arg.pipes ?? []).some((pipe) => pipe === ParseUUIDPipe || pipe instanceof ParseUUIDPipe);

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
