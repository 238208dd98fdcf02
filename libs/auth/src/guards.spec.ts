import {
  ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Actor } from './actor';
import { Public, Roles, Scopes } from './decorators';
import { AuthenticationGuard, AuthorisationGuard, LocalAuthGuard } from './guards';

/* eslint-disable @typescript-eslint/no-empty-function -- the fixture's methods exist only to carry decorators */
@Roles('org_admin')
class AdminController {
  @Public()
  open() {}

  /** Inherits the class's @Roles and has no @Scopes: closed to keys. */
  manageUsers() {}

  @Scopes('catalogue:read', 'catalogue:write')
  readCatalogue() {}

  @Scopes()
  whoAmI() {}

  @Roles('finance', 'superadmin')
  reviewCharges() {}
}

class OpenController {
  anySignedInUser() {}
}
/* eslint-enable @typescript-eslint/no-empty-function */

const user = (overrides: Partial<Actor> = {}): Actor => ({
  kind: 'user',
  id: 'user-1',
  label: 'someone@norfolk.gov.uk',
  organisationId: 'norfolk',
  roles: [],
  scopes: [],
  isSuperadmin: false,
  consortiumAdminOf: [],
  activeConsortia: [],
  ...overrides,
});
const apiKey = (scopes: Actor['scopes']): Actor => ({ ...user(), kind: 'api_key', id: 'key-1', scopes });

function contextFor(controller: new () => object, method: string, actor?: Actor): ExecutionContext {
  const handler = (controller.prototype as Record<string, () => void>)[method];
  return {
    getHandler: () => handler,
    getClass: () => controller,
    switchToHttp: () => ({ getRequest: () => ({ user: actor }) }),
  } as unknown as ExecutionContext;
}

describe('AuthorisationGuard', () => {
  const guard = new AuthorisationGuard(new Reflector());
  const check = (method: string, actor?: Actor, controller: new () => object = AdminController) =>
    guard.canActivate(contextFor(controller, method, actor));

  it('lets anyone through to a @Public endpoint', () => {
    expect(check('open')).toBe(true);
  });

  it('refuses an unauthenticated request to any other endpoint (401)', () => {
    expect(() => check('manageUsers')).toThrow(UnauthorizedException);
  });

  describe('for users', () => {
    it('admits a user holding one of the required roles', () => {
      expect(check('manageUsers', user({ roles: ['org_admin'] }))).toBe(true);
      expect(check('reviewCharges', user({ roles: ['finance'] }))).toBe(true);
      expect(check('reviewCharges', user({ isSuperadmin: true }))).toBe(true);
    });

    it('refuses a user holding none of them (403), naming the roles', () => {
      expect(() => check('manageUsers', user({ roles: ['viewer', 'finance'] }))).toThrow(
        new ForbiddenException('This needs one of the roles: org_admin'),
      );
    });

    it('lets a method’s @Roles replace the class’s, not add to them', () => {
      expect(() => check('reviewCharges', user({ roles: ['org_admin'] }))).toThrow(ForbiddenException);
    });

    it('admits any signed-in user where no role is required, and ignores @Scopes for users', () => {
      expect(check('anySignedInUser', user(), OpenController)).toBe(true);
      expect(() => check('readCatalogue', user({ roles: ['viewer'] }))).toThrow(ForbiddenException);
      expect(check('readCatalogue', user({ roles: ['org_admin'] }))).toBe(true);
    });
  });

  describe('for API keys', () => {
    it('refuses a key on an endpoint without @Scopes, even one that needs no role', () => {
      expect(() => check('manageUsers', apiKey(['catalogue:read']))).toThrow(
        new ForbiddenException('This endpoint is not available to API keys'),
      );
      expect(() => check('anySignedInUser', apiKey(['catalogue:read']), OpenController)).toThrow(
        ForbiddenException,
      );
    });

    it('admits a key holding one of the required scopes', () => {
      expect(check('readCatalogue', apiKey(['catalogue:write']))).toBe(true);
    });

    it('refuses a key holding none of them (403), naming the scopes', () => {
      expect(() => check('readCatalogue', apiKey(['charges:read', 'usage:write']))).toThrow(
        new ForbiddenException('This API key needs one of the scopes: catalogue:read, catalogue:write'),
      );
    });

    it('admits any key where @Scopes() names no scope, and never checks a key’s roles', () => {
      expect(check('whoAmI', apiKey([]))).toBe(true);
    });
  });
});

describe('AuthenticationGuard', () => {
  const guard = new AuthenticationGuard(new Reflector());

  it('does not ask for credentials on a @Public endpoint', () => {
    expect(guard.canActivate(contextFor(AdminController, 'open'))).toBe(true);
  });

  it('answers 401 when no strategy produced an actor', () => {
    expect(() => guard.handleRequest(null, false)).toThrow(UnauthorizedException);
  });

  it('lets a strategy’s error through as it is, so an outage is a 500 and not a request to sign in again', () => {
    const outage = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    expect(() => guard.handleRequest(outage, false)).toThrow(outage);
  });

  it('passes on the actor a strategy produced', () => {
    const actor = user();
    expect(guard.handleRequest(null, actor)).toBe(actor);
  });
});

describe('LocalAuthGuard', () => {
  const guard = new LocalAuthGuard();

  it('answers wrong credentials with one 401 message, whatever was wrong', () => {
    expect(() => guard.handleRequest(null, false)).toThrow(
      new UnauthorizedException('The email or password is not right'),
    );
  });

  it('passes on the directory’s own refusal (the 429 of rate limiting) unchanged', () => {
    const tooMany = new HttpException('Too many failed sign-in attempts', HttpStatus.TOO_MANY_REQUESTS);
    expect(() => guard.handleRequest(tooMany, false)).toThrow(tooMany);
  });
});
