import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import type { Actor } from './actor';
import { ACTOR_DIRECTORY, type ActorDirectory } from './actor-directory';

/** Email and password, checked against an argon2id hash by the app's directory (which also rate-limits failures). */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(@Inject(ACTOR_DIRECTORY) private readonly directory: ActorDirectory) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true });
  }

  async validate(request: { ip?: string }, email: string, password: string): Promise<Actor | false> {
    return (await this.directory.actorForCredentials(email, password, request.ip ?? null)) ?? false;
  }
}
