import {
  SERVICE_ACTIONS,
  SERVICE_STATUSES,
  serviceLifecycle,
  serviceTakesNewSubscriptions,
} from './service-lifecycle';

describe('service lifecycle', () => {
  it('allows exactly draft → published ↔ suspended → retired', () => {
    const allowed = SERVICE_STATUSES.flatMap((from) =>
      SERVICE_ACTIONS.filter((action) => serviceLifecycle.can(from, action)).map(
        (action) => `${from} -${action}-> ${serviceLifecycle.next(from, action)}`,
      ),
    );
    expect(allowed).toEqual([
      'draft -publish-> published',
      'published -suspend-> suspended',
      'published -retire-> retired',
      'suspended -reinstate-> published',
      'suspended -retire-> retired',
    ]);
  });

  it('treats retired as final', () => {
    expect(serviceLifecycle.actionsFrom('retired')).toEqual([]);
    expect(() => serviceLifecycle.next('retired', 'publish')).toThrow(
      expect.objectContaining({ kind: 'conflict', code: 'illegal-transition' }),
    );
  });

  it('refuses to retire a draft, which is deleted instead', () => {
    expect(() => serviceLifecycle.next('draft', 'retire')).toThrow('Cannot retire a service that is draft');
  });

  it('takes new subscriptions only while published', () => {
    expect(SERVICE_STATUSES.filter(serviceTakesNewSubscriptions)).toEqual(['published']);
  });
});
