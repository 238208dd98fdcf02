import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { Actor, RequiredRole } from './actor';
import type { ApiKeyScope } from './scopes';

export const IS_PUBLIC = 'auth:public';
export const REQUIRED_ROLES = 'auth:roles';
export const REQUIRED_SCOPES = 'auth:scopes';

/** Marks public operations in the OpenAPI document, which otherwise requires a bearer token or an API key. */
export const OPENAPI_PUBLIC_EXTENSION = 'x-public';

/** Opens an endpoint to anonymous callers; every other endpoint requires authentication. */
export const Public = () =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(OPENAPI_PUBLIC_EXTENSION, true));

/** A user must hold at least one of these roles. */
export const Roles = (...roles: RequiredRole[]) => SetMetadata(REQUIRED_ROLES, roles);

/** Lists, in the OpenAPI document, the scopes an API key needs for an operation. */
export const OPENAPI_SCOPES_EXTENSION = 'x-api-key-scopes';

/**
 * An API key must hold at least one of these scopes. An endpoint without `@Scopes` is closed to API keys,
 * so a new endpoint is never reachable by integrators by accident. `@Scopes()` with no scope admits any key.
 */
export const Scopes = (...scopes: ApiKeyScope[]) =>
  applyDecorators(SetMetadata(REQUIRED_SCOPES, scopes), ApiExtension(OPENAPI_SCOPES_EXTENSION, scopes));

/** The authenticated actor, with the request id for the audit trail. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const request = context.switchToHttp().getRequest<{ user?: Actor; id?: string }>();
  if (!request.user) throw new Error('CurrentActor used on an endpoint without authentication');
  return { ...request.user, requestId: request.id };
});

/** The request id (echoed as X-Request-Id), for auditing on public endpoints where there is no actor yet. */
export const RequestId = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined =>
    context.switchToHttp().getRequest<{ id?: string }>().id,
);
