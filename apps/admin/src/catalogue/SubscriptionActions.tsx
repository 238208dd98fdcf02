import { Button, Stack } from '@mui/material';
import { useState } from 'react';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { formatDate } from '../format/date';
import { QuantityDialog, reasonFields } from './dialogs';
import { useApiAction } from './hooks';
import type { Subscription, SubscriptionDetail } from './resources';
import {
  actionsFor,
  type LifecycleAction,
  OPEN_STATUSES,
  type Side,
  takeAction,
} from './subscription-actions';
import { SUBSCRIPTION_ACTION_LABELS, subscriptionProblemMessage } from './subscription-text';

/** How each action is confirmed: the words, and whether the other side is given a reason. */
const CONFIRM: Partial<
  Record<LifecycleAction, { explanation: string; reason: 'required' | 'optional' | undefined }>
> = {
  reject: {
    explanation: 'The requester is told the request was turned down, with your reason.',
    reason: 'required',
  },
  cancel: { explanation: 'Your request is withdrawn; the provider is told.', reason: 'optional' },
  suspend: {
    explanation:
      'The subscription keeps its share of capacity while suspended; the subscriber reads your reason.',
    reason: 'required',
  },
  give_notice: {
    explanation:
      'The subscription ends on the later of the end of its initial term and today plus its notice period. The other side is told.',
    reason: 'optional',
  },
  end: { explanation: 'The subscription ends for good.', reason: undefined },
};

const DONE: Record<LifecycleAction, (s: SubscriptionDetail) => string> = {
  approve: (s) => `Approved: ${s.consumerOrganisationName} now subscribes to ${s.serviceTitle}.`,
  reject: (s) => `Rejected: ${s.consumerOrganisationName} has been told why.`,
  cancel: () => 'Request withdrawn.',
  suspend: () => 'Subscription suspended.',
  reinstate: () => 'Subscription resumed.',
  give_notice: (s) => `Notice given: the subscription ends after ${formatDate(s.endDate)}.`,
  end: () => 'Subscription ended.',
};

/** The buttons for what this side may do now: the lifecycle actions, and for the consumer quantity and price. */
export function SubscriptionActions({
  subscription,
  availableActions,
  side,
  rowLabel,
}: {
  subscription: Subscription;
  /**
   * In a list, what the row is ("Essex County Council’s request for …"): each button's accessible name then says
   * which row it acts on, since every row has an "Approve".
   */
  rowLabel?: string;
  /** The detail's `availableActions` (a list row knows only that a request may be decided). */
  availableActions: string[];
  side: Side | null;
}) {
  const [confirming, setConfirming] = useState<LifecycleAction | null>(null);
  const [changingQuantity, setChangingQuantity] = useState(false);
  const run = ({ action, reason }: { action: LifecycleAction; reason?: string }) =>
    takeAction(subscription.id, action, reason);
  const done = (result: SubscriptionDetail, { action }: { action: LifecycleAction }) => DONE[action](result);
  // A step taken at once says a refusal as a toast; one taken in a dialog says it there, and the dialog stays open.
  const act = useApiAction(run, done);
  const confirmed = useApiAction(run, done, { refusals: 'in-dialog' });
  const quantity = useApiAction(
    async (change: { quantity: number; effectiveFrom: string }) =>
      unwrap(
        await api.POST('/api/v1/subscriptions/{id}/quantity', {
          params: { path: { id: subscription.id } },
          body: change,
        }),
      ),
    (result) => `Quantity changed to ${result.quantity}.`,
    { refusals: 'in-dialog' },
  );
  const acceptPrice = useApiAction(
    async () =>
      unwrap(
        await api.POST('/api/v1/subscriptions/{id}/accept-price', {
          params: { path: { id: subscription.id } },
        }),
      ),
    (result) => `You now pay price version ${result.priceVersion}.`,
  );

  const confirmation = confirming ? CONFIRM[confirming] : undefined;
  const open = OPEN_STATUSES.includes(subscription.status);
  const consumer = side === 'consumer';
  const newPrice = subscription.servicePriceVersion > subscription.priceVersion;
  return (
    <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }}>
      {actionsFor(availableActions, side).map((action) => (
        <Button
          key={action}
          variant={action === 'approve' || action === 'reinstate' ? 'contained' : 'outlined'}
          color={action === 'reject' || action === 'end' ? 'error' : 'primary'}
          disabled={act.isPending || confirmed.isPending}
          onClick={() => (CONFIRM[action] ? setConfirming(action) : act.mutate({ action }))}
          aria-label={rowLabel ? `${SUBSCRIPTION_ACTION_LABELS[action]} ${rowLabel}` : undefined}
        >
          {SUBSCRIPTION_ACTION_LABELS[action]}
        </Button>
      ))}
      {consumer && open && subscription.status !== 'requested' ? (
        <Button variant="outlined" onClick={() => setChangingQuantity(true)}>
          Change quantity
        </Button>
      ) : null}
      {consumer && open && newPrice ? (
        <Button
          variant="outlined"
          disabled={acceptPrice.isPending}
          onClick={() => acceptPrice.mutate(undefined)}
        >
          Accept price version {subscription.servicePriceVersion}
        </Button>
      ) : null}
      {confirming && confirmation ? (
        <ConfirmDialog
          open
          title={`${SUBSCRIPTION_ACTION_LABELS[confirming]}: ${subscription.serviceTitle}`}
          fields={reasonFields(confirmation.reason)}
          holdUntilValid
          confirmLabel={SUBSCRIPTION_ACTION_LABELS[confirming]}
          describeError={subscriptionProblemMessage}
          onClose={() => setConfirming(null)}
          onConfirm={({ reason }) =>
            confirmed.mutateAsync({ action: confirming, reason: reason || undefined })
          }
        >
          {confirmation.explanation}
        </ConfirmDialog>
      ) : null}
      {changingQuantity ? (
        <QuantityDialog
          current={subscription.quantity}
          startDate={subscription.startDate}
          onClose={() => setChangingQuantity(false)}
          onConfirm={(change) => quantity.mutateAsync(change)}
        />
      ) : null}
    </Stack>
  );
}
