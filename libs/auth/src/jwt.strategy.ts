import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { Actor } from './actor';
import {
  ACTOR_DIRECTORY,
  AUTH_OPTIONS,
  type AccessTokenClaims,
  type ActorDirectory,
  type AuthOptions,
} from './actor-directory';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Bearer access tokens: short-lived JWTs signed with HS256, each naming the session it was issued in. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(AUTH_OPTIONS) options: AuthOptions,
    @Inject(ACTOR_DIRECTORY) private readonly directory: ActorDirectory,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A key object, not the secret string (see accessTokenKey); passport-jwt hands it to jsonwebtoken untouched,
      // though its types only name strings and buffers.
      secretOrKey: options.jwtKey as unknown as Buffer,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessTokenClaims): Promise<Actor | false> {
    // A token without a session (issued before sessions existed) is refused: the client refreshes it.
    if (claims.typ !== 'access' || !UUID.test(String(claims.sub)) || !UUID.test(String(claims.sid))) {
      return false;
    }
    return (await this.directory.actorForSession(claims.sub, claims.sid)) ?? false;
  }
}
