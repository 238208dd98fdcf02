import {
  type ApiKeyScope,
  IS_PUBLIC,
  REQUIRED_ROLES,
  REQUIRED_SCOPES,
  type RequiredRole,
} from '@consortium/auth';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { IDEMPOTENT } from '../../src/modules/idempotency/idempotent.decorator';
import type { TestApp } from './test-app';

export interface Route {
  /** `GET /api/v1/services/{id}`, as the OpenAPI document names it. */
  name: string;
  method: string;
  /** `/api/v1/services/{id}`. */
  path: string;
  isPublic: boolean;
  /** The roles a user needs (one of); undefined when any signed-in user passes the guard. */
  roles: RequiredRole[] | undefined;
  /** The scopes an API key needs; undefined when the route is closed to API keys. */
  scopes: ApiKeyScope[] | undefined;
  /** Marked @Idempotent(): honours an Idempotency-Key. */
  idempotent: boolean;
}

/** Every route of the running application, read from the Nest router's own metadata. */
export function routesOf(test: TestApp): Route[] {
  const reflector = new Reflector();
  const join = (...parts: string[]) =>
    `/${parts
      .flatMap((part) => part.split('/'))
      .filter(Boolean)
      .map((segment) => (segment.startsWith(':') ? `{${segment.slice(1)}}` : segment))
      .join('/')}`;
  const routes: Route[] = [];
  for (const module of test.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | undefined;
      if (!controller) continue;
      const base = [Reflect.getMetadata(PATH_METADATA, controller) ?? ''].flat() as string[];
      for (const key of Object.getOwnPropertyNames(controller.prototype)) {
        if (key === 'constructor') continue;
        const handler = controller.prototype[key as keyof object] as unknown;
        if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined)
          continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const targets = [handler, controller];
        for (const prefix of base) {
          for (const path of [Reflect.getMetadata(PATH_METADATA, handler)].flat() as string[]) {
            const full = join('api/v1', prefix, path);
            routes.push({
              name: `${method} ${full}`,
              method,
              path: full,
              isPublic: reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ?? false,
              roles: reflector.getAllAndOverride<RequiredRole[] | undefined>(REQUIRED_ROLES, targets),
              scopes: reflector.getAllAndOverride<ApiKeyScope[] | undefined>(REQUIRED_SCOPES, targets),
              idempotent: reflector.get<boolean>(IDEMPOTENT, handler) ?? false,
            });
          }
        }
      }
    }
  }
  return routes;
}
