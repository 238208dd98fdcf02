import { ApiKey } from '../modules/api-keys/api-key.entity';
import { AuditEvent } from '../modules/audit/audit-event.entity';
import { LoginFailure } from '../modules/auth/login-failure.entity';
import { RefreshToken } from '../modules/auth/refresh-token.entity';
import { Consortium } from '../modules/consortia/consortium.entity';
import { ConsortiumAdmin } from '../modules/consortia/consortium-admin.entity';
import { Membership } from '../modules/consortia/membership.entity';
import { Organisation } from '../modules/organisations/organisation.entity';
import { User } from '../modules/users/user.entity';

/** Every entity, listed explicitly so the bundled API needs no file globs. */
export const ENTITIES = [
  Organisation,
  Consortium,
  Membership,
  ConsortiumAdmin,
  User,
  RefreshToken,
  LoginFailure,
  ApiKey,
  AuditEvent,
];
