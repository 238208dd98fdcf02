/**
 * Where a notification leads, from what it is about. Plain TypeScript so it is unit-tested without a browser.
 * The routes are the react-admin resources of the features that show each thing; kinds without a screen of their
 * own lead nowhere (the notification's text says enough).
 */
const SHOW_ROUTES: Record<string, string> = {
  subscription: 'subscriptions',
  service: 'services',
  cross_charge: 'cross-charges',
  billing_period: 'billing-periods',
};

export function notificationLink(entityType: string, entityId: string): string | null {
  const resource = SHOW_ROUTES[entityType];
  return resource && entityId ? `/${resource}/${encodeURIComponent(entityId)}/show` : null;
}

/** "3", or "99+" when there are more unread than one page holds: the badge never claims a count it did not see. */
export function unreadBadge(unread: number, more: boolean): string {
  if (unread <= 0) return '';
  return more || unread > 99 ? '99+' : String(unread);
}

/** "3 unread notifications", for the bell's accessible name. */
export function unreadLabel(unread: number, more: boolean): string {
  if (unread <= 0) return 'Notifications, none unread';
  const count = more || unread > 99 ? 'more than 99' : String(unread);
  return `Notifications, ${count} unread`;
}
