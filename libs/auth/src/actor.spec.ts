import type { Actor } from './actor';
import { holdsRole, isActiveMember, isConsortiumAdmin } from './actor';

const user = (overrides: Partial<Actor> = {}): Actor => ({
  kind: 'user',
  id: 'user-1',
  label: 'finance@norfolk.gov.uk',
  organisationId: 'norfolk',
  roles: ['finance'],
  scopes: [],
  isSuperadmin: false,
  consortiumAdminOf: [],
  activeConsortia: ['eastern-counties'],
  ...overrides,
});

const apiKey = (overrides: Partial<Actor> = {}): Actor => ({
  ...user(),
  kind: 'api_key',
  id: 'key-1',
  label: 'api-key:abcdefghij',
  roles: [],
  scopes: ['catalogue:read'],
  ...overrides,
});

describe('holdsRole', () => {
  it('is true for an organisation role the user holds, and false for one they do not', () => {
    const actor = user({ roles: ['finance', 'viewer'] });
    expect(holdsRole(actor, 'finance')).toBe(true);
    expect(holdsRole(actor, 'viewer')).toBe(true);
    expect(holdsRole(actor, 'org_admin')).toBe(false);
    expect(holdsRole(actor, 'service_manager')).toBe(false);
  });

  it('does not treat org_admin as a superset of the other roles', () => {
    expect(holdsRole(user({ roles: ['org_admin'] }), 'finance')).toBe(false);
  });

  it('grants superadmin only to superadmins, and nothing else with it', () => {
    const superadmin = user({ roles: [], isSuperadmin: true });
    expect(holdsRole(superadmin, 'superadmin')).toBe(true);
    expect(holdsRole(superadmin, 'org_admin')).toBe(false);
    expect(holdsRole(user({ roles: ['org_admin'] }), 'superadmin')).toBe(false);
  });

  it('grants consortium_admin to a user who administers at least one consortium', () => {
    expect(holdsRole(user({ consortiumAdminOf: ['eastern-counties'] }), 'consortium_admin')).toBe(true);
    expect(holdsRole(user(), 'consortium_admin')).toBe(false);
  });

  it('never grants a role to an API key, whatever the key claims', () => {
    const forged = apiKey({
      roles: ['org_admin'],
      isSuperadmin: true,
      consortiumAdminOf: ['eastern-counties'],
    });
    for (const role of ['org_admin', 'superadmin', 'consortium_admin'] as const) {
      expect(holdsRole(forged, role)).toBe(false);
    }
  });
});

describe('isConsortiumAdmin', () => {
  it('is true only for the consortia the user administers', () => {
    const actor = user({ consortiumAdminOf: ['eastern-counties'] });
    expect(isConsortiumAdmin(actor, 'eastern-counties')).toBe(true);
    expect(isConsortiumAdmin(actor, 'south-west')).toBe(false);
  });

  it('is never true for an API key', () => {
    expect(isConsortiumAdmin(apiKey({ consortiumAdminOf: ['eastern-counties'] }), 'eastern-counties')).toBe(
      false,
    );
  });
});

describe('isActiveMember', () => {
  it('is true for the consortia the actor’s organisation is an active member of, for users and keys alike', () => {
    expect(isActiveMember(user(), 'eastern-counties')).toBe(true);
    expect(isActiveMember(apiKey(), 'eastern-counties')).toBe(true);
    expect(isActiveMember(user(), 'south-west')).toBe(false);
    expect(isActiveMember(user({ activeConsortia: [] }), 'eastern-counties')).toBe(false);
  });
});
