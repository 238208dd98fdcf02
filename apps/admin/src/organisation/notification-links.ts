/**
 * Where a notification leads, from what it is about. Plain TypeScript so it is unit-tested without a browser.
 * The routes are the react-admin resources of the features that show each thing (catalogue/, finance/); things
 * without a screen of their own lead nowhere (the notification's text says enough).
 */
const show = (resource: string, id: string) => `/${resource}/${encodeURIComponent(id)}/show`;

/** `kind` decides for a subscription: a request is the provider's to decide, anything else the consumer's news. */
export function notificationLink(kind: string, entityType: string, entityId: string): string | null {
  if (!entityId) return null;
  switch (entityType) {
    case 'subscription':
      return show(kind === 'subscription.requested' ? 'subscription-requests' : 'my-subscriptions', entityId);
    case 'service':
      return show('catalogue', entityId);
    case 'cross_charge':
      return show('cross-charges', entityId);
    default:
      return null;
  }
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
