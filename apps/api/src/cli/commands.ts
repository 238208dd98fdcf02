import { hashPassword, MIN_PASSWORD_LENGTH } from '@consortium/auth';
import { ORGANISATION_TYPES, OrganisationType } from '@consortium/domain';
import { DataSource } from 'typeorm';
import { ConfigurationError } from '../config/environment';
import { dataSourceOptions } from '../database/data-source-options';
import { AuditService } from '../modules/audit/audit.service';
import { Organisation } from '../modules/organisations/organisation.entity';
import { User } from '../modules/users/user.entity';
import { OPERATOR_COMMANDS } from './operator-commands';

export const USAGE = `Usage: node dist/apps/api/cli.js <command> [options]   (<command> --help for one command)

Commands:
  migrate                                  apply pending migrations as the owner role (MIGRATION_DATABASE_URL,
                                           else DATABASE_URL outside production), then grant the API's role
  create-superadmin --email <email> --name <name> --organisation <name> [--organisation-type <type>]
                                           create (or promote) the platform superadmin; the password is read
                                           from SUPERADMIN_PASSWORD (at least ${MIN_PASSWORD_LENGTH} characters)
${OPERATOR_COMMANDS.map((command) => `  ${command.spec.usage}`).join('\n')}

Needs DATABASE_URL. Exits with status 1 and the reason when a command fails.`;

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
}

/** Creates the platform superadmin, or promotes an existing user. Never reachable over HTTP. */
export async function createSuperadmin(databaseUrl: string, args: string[]): Promise<void> {
  const email = option(args, 'email')?.trim().toLowerCase();
  const name = option(args, 'name');
  const organisationName = option(args, 'organisation');
  const organisationType = (option(args, 'organisation-type') ?? 'other_public_body') as OrganisationType;
  const password = process.env.SUPERADMIN_PASSWORD ?? '';
  if (!email || !name || !organisationName) throw new ConfigurationError(USAGE);
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ConfigurationError(`SUPERADMIN_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (!ORGANISATION_TYPES.includes(organisationType)) {
    throw new ConfigurationError(`--organisation-type must be one of ${ORGANISATION_TYPES.join(', ')}`);
  }
  const dataSource = await new DataSource(dataSourceOptions(databaseUrl)).initialize();
  try {
    const passwordHash = await hashPassword(password);
    await dataSource.transaction(async (manager) => {
      let organisation = await manager.findOne(Organisation, { where: { name: organisationName } });
      organisation ??= await manager.save(
        manager.create(Organisation, { name: organisationName, type: organisationType, region: 'National' }),
      );
      const existing = await manager.findOne(User, { where: { email } });
      const user = existing
        ? await manager.save(Object.assign(existing, { isSuperadmin: true, passwordHash }))
        : await manager.save(
            manager.create(User, {
              organisationId: organisation.id,
              email,
              name,
              roles: ['org_admin'],
              passwordHash,
              isSuperadmin: true,
            }),
          );
      await new AuditService().record(manager, 'system', {
        action: 'user.superadmin_granted',
        entityType: 'user',
        entityId: user.id,
        organisationId: user.organisationId,
        changes: { email, via: 'cli' },
      });
      console.log(`${existing ? 'Promoted' : 'Created'} superadmin ${email}`);
    });
  } finally {
    await dataSource.destroy();
  }
}
