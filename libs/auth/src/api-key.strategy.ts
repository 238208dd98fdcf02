import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-custom';
import type { Actor } from './actor';
import { ACTOR_DIRECTORY, type ActorDirectory } from './actor-directory';

export const API_KEY_HEADER = 'x-api-key';

/** Integrators authenticate with `X-API-Key: csk_…`. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, 'api-key') {
  constructor(@Inject(ACTOR_DIRECTORY) private readonly directory: ActorDirectory) {
    super();
  }

  async validate(request: {
    headers: Record<string, string | string[] | undefined>;
  }): Promise<Actor | false> {
    const header = request.headers[API_KEY_HEADER];
    if (typeof header !== 'string' || header.length === 0) return false;
    return (await this.directory.actorForApiKey(header)) ?? false;
  }
}
