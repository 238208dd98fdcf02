import { api } from '../api/client';
import { unwrap } from '../api/problem';
import type { Subscription, SubscriptionDetail } from './resources';

/** The lifecycle actions `availableActions` names, and the side that may take each (as libs/domain says). */
export type LifecycleAction =
  'approve' | 'reject' | 'cancel' | 'suspend' | 'reinstate' | 'give_notice' | 'end';
export type Side = 'provider' | 'consumer';

const PARTY: Record<LifecycleAction, Side | 'either'> = {
  approve: 'provider',
  reject: 'provider',
  suspend: 'provider',
  reinstate: 'provider',
  cancel: 'consumer',
  give_notice: 'either',
  end: 'either',
};

export function sideOf(subscription: Subscription, organisationId: string | undefined): Side | null {
  if (organisationId === subscription.providerOrganisationId) return 'provider';
  if (organisationId === subscription.consumerOrganisationId) return 'consumer';
  return null;
}

/** The lifecycle actions this side may take now: what the status allows, filtered to this side's own. */
export function actionsFor(availableActions: string[], side: Side | null): LifecycleAction[] {
  if (!side) return [];
  return availableActions.filter(
    (action): action is LifecycleAction =>
      action in PARTY &&
      (PARTY[action as LifecycleAction] === side || PARTY[action as LifecycleAction] === 'either'),
  );
}

/** Statuses in which the consumer may still change the quantity or accept a new price. */
export const OPEN_STATUSES: Subscription['status'][] = ['requested', 'active', 'suspended', 'notice_given'];

/** Takes a lifecycle action through its endpoint (`reinstate` is POST …/resume). */
export async function takeAction(
  id: string,
  action: LifecycleAction,
  reason?: string,
): Promise<SubscriptionDetail> {
  const path = { path: { id } };
  switch (action) {
    case 'approve':
      return unwrap(await api.POST('/api/v1/subscriptions/{id}/approve', { params: path }));
    case 'reject':
      return unwrap(
        await api.POST('/api/v1/subscriptions/{id}/reject', { params: path, body: { reason: reason ?? '' } }),
      );
    case 'cancel':
      return unwrap(
        await api.POST('/api/v1/subscriptions/{id}/cancel', { params: path, body: reason ? { reason } : {} }),
      );
    case 'suspend':
      return unwrap(
        await api.POST('/api/v1/subscriptions/{id}/suspend', {
          params: path,
          body: { reason: reason ?? '' },
        }),
      );
    case 'reinstate':
      return unwrap(await api.POST('/api/v1/subscriptions/{id}/resume', { params: path }));
    case 'give_notice':
      return unwrap(
        await api.POST('/api/v1/subscriptions/{id}/give-notice', {
          params: path,
          body: reason ? { reason } : {},
        }),
      );
    case 'end':
      return unwrap(await api.POST('/api/v1/subscriptions/{id}/end', { params: path }));
  }
}
