import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { type Actor, holdsRole, type RequiredRole } from './actor';
import { IS_PUBLIC, REQUIRED_ROLES, REQUIRED_SCOPES } from './decorators';
import type { ApiKeyScope } from './scopes';

/** Global guard: every endpoint needs a bearer token or an API key unless it is marked @Public(). */
@Injectable()
export class AuthenticationGuard extends AuthGuard(['jwt', 'api-key']) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublic ? true : super.canActivate(context);
  }

  override handleRequest<TUser = Actor>(error: unknown, user: TUser | false): TUser {
    // Bad credentials make a strategy fail, not error: an error is a fault (say, the database is down), so it must
    // surface as a logged 500 rather than a 401 that tells clients to sign in again.
    if (error) throw error;
    if (!user) throw new UnauthorizedException('Sign in, or present a valid and unrevoked API key');
    return user;
  }
}

/** Global guard: enforces @Roles for users and @Scopes for API keys, in one place. */
@Injectable()
export class AuthorisationGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const actor = context.switchToHttp().getRequest<{ user?: Actor }>().user;
    if (!actor) throw new UnauthorizedException();

    if (actor.kind === 'api_key') {
      const scopes = this.reflector.getAllAndOverride<ApiKeyScope[] | undefined>(REQUIRED_SCOPES, targets);
      if (!scopes) throw new ForbiddenException('This endpoint is not available to API keys');
      if (scopes.length > 0 && !scopes.some((scope) => actor.scopes.includes(scope))) {
        throw new ForbiddenException(`This API key needs one of the scopes: ${scopes.join(', ')}`);
      }
      return true;
    }

    const roles = this.reflector.getAllAndOverride<RequiredRole[] | undefined>(REQUIRED_ROLES, targets);
    if (roles && !roles.some((role) => holdsRole(actor, role))) {
      throw new ForbiddenException(`This needs one of the roles: ${roles.join(', ')}`);
    }
    return true;
  }
}

/** Guards the sign-in endpoint: the body is validated by the controller's DTO rules first, then checked by passport. */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override handleRequest<TUser = Actor>(error: unknown, user: TUser | false): TUser {
    if (error) throw error;
    if (!user) throw new UnauthorizedException('The email or password is not right');
    return user;
  }
}
