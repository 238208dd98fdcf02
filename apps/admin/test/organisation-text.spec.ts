import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_KEY_SCOPES, apiKeyStanding } from '../src/organisation/api-key-scopes';
import { actionLabel, dayRange, describeChanges, entityTypeLabel } from '../src/organisation/audit-format';
import { notificationLink, unreadBadge, unreadLabel } from '../src/organisation/notification-links';

describe('API key scopes and standing', () => {
  it('offers exactly the scopes the API accepts', () => {
    const openapi = JSON.parse(readFileSync(join(__dirname, '..', '..', 'api', 'openapi.json'), 'utf8')) as {
      components: { schemas: Record<string, { properties: { scopes: { items: { enum: string[] } } } }> };
    };
    const accepted = openapi.components.schemas.CreateApiKeyDto.properties.scopes.items.enum;

    expect([...API_KEY_SCOPES].sort()).toEqual([...accepted].sort());
  });

  it('reads a key as active, revoked or expired from its dates', () => {
    const now = new Date('2026-12-01T09:00:00Z');
    expect(apiKeyStanding({ revokedAt: null, expiresAt: null }, now)).toBe('Active');
    expect(apiKeyStanding({ revokedAt: '2026-11-30T10:00:00Z', expiresAt: null }, now)).toBe('Revoked');
    expect(apiKeyStanding({ revokedAt: null, expiresAt: '2026-12-01T08:59:59Z' }, now)).toBe('Expired');
    expect(apiKeyStanding({ revokedAt: null, expiresAt: '2027-01-01T00:00:00Z' }, now)).toBe('Active');
  });
});

describe('the audit log in words', () => {
  it('says what changed, with money in pounds, UK dates and no ids', () => {
    expect(
      describeChanges({
        status: { from: 'draft', to: 'issued' },
        grossMinor: 729000,
        journalEntryId: '9750a4f2-6cd7-4145-9100-3b32ce26946b',
        roles: ['viewer', 'finance'],
      }),
    ).toBe('Status: draft → issued; Gross: £7,290.00; Roles: Viewer, Finance');
    expect(describeChanges({ revokedAt: { from: null, to: '2026-12-01T10:27:00.803Z' } })).toBe(
      'Revoked at: nothing → 1 Dec 2026, 10:27',
    );
    expect(describeChanges({ key: '2026-Q4', endDate: '2026-12-31' })).toBe(
      'Key: 2026-Q4; End date: 31 Dec 2026',
    );
    expect(describeChanges({})).toBe('—');
  });

  it('says what was done in words rather than as the API’s code', () => {
    expect(actionLabel('billing_period.closed')).toBe('Billing period closed');
    expect(actionLabel('subscription.quantity_changed')).toBe('Subscription quantity changed');
    expect(actionLabel('api_key.created')).toBe('API key created');
    expect(actionLabel('auth.login')).toBe('Signed in');
    expect(actionLabel('auth.session_ended')).toBe('Session ended');
    expect(actionLabel('auth.sign_in_throttled')).toBe(
      'Sign-ins from one address slowed down after failures',
    );
    expect(actionLabel('compliance.attested')).toBe('Compliance certificate attested');
  });

  it('names what an event was about', () => {
    expect(entityTypeLabel('api_key')).toBe('API key');
    expect(entityTypeLabel('something_new')).toBe('something new');
  });

  it('turns picked UK days into the instants the API filters on, the last day included', () => {
    expect(dayRange('2026-12-01', '2026-12-01')).toEqual({
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-02T00:00:00.000Z',
    });
    // British Summer Time: midnight in London is 23:00 UTC the day before.
    expect(dayRange('2026-07-01')).toEqual({ from: '2026-06-30T23:00:00.000Z' });
    expect(dayRange()).toEqual({});
  });
});

describe('notifications', () => {
  it('lead to the screen of what they are about, when there is one', () => {
    expect(notificationLink('subscription.requested', 'subscription', 'abc')).toBe(
      '/subscription-requests/abc/show',
    );
    expect(notificationLink('subscription.approved', 'subscription', 'abc')).toBe(
      '/my-subscriptions/abc/show',
    );
    expect(notificationLink('cross_charge.issued', 'cross_charge', 'xyz')).toBe('/cross-charges/xyz/show');
    expect(notificationLink('compliance.expiring', 'compliance_attestation', 'c1')).toBeNull();
  });

  it('show an unread count that never claims more than it saw', () => {
    expect(unreadBadge(0, false)).toBe('');
    expect(unreadBadge(7, false)).toBe('7');
    expect(unreadBadge(100, true)).toBe('99+');
    expect(unreadLabel(0, false)).toBe('Notifications, none unread');
    expect(unreadLabel(3, false)).toBe('Notifications, 3 unread');
    expect(unreadLabel(100, true)).toBe('Notifications, more than 99 unread');
  });
});
