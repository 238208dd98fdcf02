import { Alert, Box, Card, CardContent, List as MuiList, ListItem, Stack, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import {
  DataTable,
  Loading,
  Link as RaLink,
  SelectInput,
  SimpleList,
  Title,
  useCreatePath,
  useShowController,
} from 'react-admin';
import { api } from '../api/client';
import { messageFor, unwrap } from '../api/problem';
import { formatDate, formatDateTime } from '../format/date';
import { formatMoney } from '../format/money';
import { byDate, type SortOption, SortChoice } from '../layout/SortChoice';
import { EXPLAIN_IN_PLACE, useBillingCycle, useMe, useNarrow } from './hooks';
import { choicesOf, SUBSCRIPTION_STATUS_LABELS } from './labels';
import { asPricePlan, describePricePlan, formatQuantity } from './price-plan-text';
import { MY_SUBSCRIPTIONS, REQUESTS, type Subscription, type SubscriptionDetail } from './resources';
import { sideOf } from './subscription-actions';
import { SubscriptionActions } from './SubscriptionActions';
import { eventText } from './subscription-text';
import { SUBSCRIPTION_STATUS_TONE, ToneChip } from './Tone';
import { ApiList } from '../layout/ListProblem';

function StatusChip({ subscription }: { subscription: Subscription }) {
  return (
    <ToneChip
      tone={SUBSCRIPTION_STATUS_TONE[subscription.status]}
      label={SUBSCRIPTION_STATUS_LABELS[subscription.status]}
    />
  );
}

function ServiceLink({ subscription, resource }: { subscription: Subscription; resource: string }) {
  const createPath = useCreatePath();
  return (
    <RaLink to={createPath({ resource, id: subscription.id, type: 'show' })} sx={{ fontWeight: 500 }}>
      {subscription.serviceTitle}
    </RaLink>
  );
}

const statusFilter = (emptyText: string) => [
  <SelectInput
    key="status"
    source="status"
    label="Status"
    choices={choicesOf(SUBSCRIPTION_STATUS_LABELS)}
    emptyText={emptyText}
    alwaysOn
  />,
];

/** The orders GET /subscriptions offers (when asked for, when it starts), for a phone's rows. */
const REQUEST_SORTS: SortOption[] = [
  ...byDate('createdAt', 'Newest requests first', 'Oldest requests first'),
  ...byDate('startDate', 'Latest start first', 'Soonest start first'),
];
const SUBSCRIPTION_SORTS: SortOption[] = [
  ...byDate('createdAt', 'Newest first', 'Oldest first'),
  ...byDate('startDate', 'Latest start first', 'Earliest start first'),
];

/** Requests to subscribe to the organisation's services (and its subscribers): approve or reject. */
export function RequestList() {
  const narrow = useNarrow();
  const empty = (
    <Alert severity="info" sx={{ m: 2 }}>
      No subscription requests with this status. New requests to your services appear here.
    </Alert>
  );
  return (
    <ApiList
      resource={REQUESTS}
      title="Subscription requests"
      filters={statusFilter('Any status')}
      filterDefaultValues={{ status: 'requested' }}
      sort={{ field: 'createdAt', order: 'DESC' }}
      perPage={25}
      exporter={false}
      empty={false}
      actions={false}
    >
      {narrow ? <SortChoice options={REQUEST_SORTS} /> : null}
      {narrow ? (
        <SimpleList<Subscription>
          resource={REQUESTS}
          linkType="show"
          primaryText={(s) => s.serviceTitle}
          secondaryText={(s) => `${s.consumerOrganisationName} · quantity ${formatQuantity(s.quantity)}`}
          tertiaryText={(s) => SUBSCRIPTION_STATUS_LABELS[s.status]}
          empty={empty}
        />
      ) : (
        <DataTable bulkActionButtons={false} rowClick={false} empty={empty}>
          <DataTable.Col
            source="serviceTitle"
            label="Service"
            disableSort
            render={(s: Subscription) => <ServiceLink subscription={s} resource={REQUESTS} />}
          />
          <DataTable.Col source="consumerOrganisationName" label="Requested by" disableSort />
          <DataTable.Col
            source="quantity"
            label="Quantity"
            disableSort
            render={(s: Subscription) => formatQuantity(s.quantity)}
          />
          <DataTable.Col
            source="startDate"
            label="Starts"
            render={(s: Subscription) => formatDate(s.startDate)}
          />
          <DataTable.Col
            source="createdAt"
            label="Requested"
            render={(s: Subscription) => formatDate(s.createdAt)}
          />
          <DataTable.Col
            source="status"
            label="Status"
            disableSort
            render={(s: Subscription) => <StatusChip subscription={s} />}
          />
          <DataTable.Col
            label="Decision"
            disableSort
            render={(s: Subscription) =>
              s.status === 'requested' ? (
                <SubscriptionActions
                  subscription={s}
                  availableActions={['approve', 'reject']}
                  side="provider"
                  rowLabel={`${s.consumerOrganisationName}’s request for ${s.serviceTitle}`}
                />
              ) : null
            }
          />
        </DataTable>
      )}
    </ApiList>
  );
}

/** The services the organisation subscribes to. */
export function MySubscriptionList() {
  const narrow = useNarrow();
  const empty = (
    <Alert severity="info" sx={{ m: 2 }}>
      Your organisation has no subscriptions with this status. Find services in the service catalogue.
    </Alert>
  );
  return (
    <ApiList
      resource={MY_SUBSCRIPTIONS}
      title="My subscriptions"
      filters={statusFilter('Any status')}
      sort={{ field: 'createdAt', order: 'DESC' }}
      perPage={25}
      exporter={false}
      empty={false}
      actions={false}
    >
      {narrow ? <SortChoice options={SUBSCRIPTION_SORTS} /> : null}
      {narrow ? (
        <SimpleList<Subscription>
          resource={MY_SUBSCRIPTIONS}
          linkType="show"
          primaryText={(s) => s.serviceTitle}
          secondaryText={(s) => `${s.providerOrganisationName} · quantity ${formatQuantity(s.quantity)}`}
          tertiaryText={(s) => SUBSCRIPTION_STATUS_LABELS[s.status]}
          empty={empty}
        />
      ) : (
        <DataTable bulkActionButtons={false} rowClick={false} empty={empty}>
          <DataTable.Col
            source="serviceTitle"
            label="Service"
            disableSort
            render={(s: Subscription) => <ServiceLink subscription={s} resource={MY_SUBSCRIPTIONS} />}
          />
          <DataTable.Col source="providerOrganisationName" label="Provider" disableSort />
          <DataTable.Col
            source="status"
            label="Status"
            disableSort
            render={(s: Subscription) => <StatusChip subscription={s} />}
          />
          <DataTable.Col
            source="quantity"
            label="Quantity"
            disableSort
            render={(s: Subscription) => formatQuantity(s.quantity)}
          />
          <DataTable.Col
            source="priceVersion"
            label="Agreed price"
            disableSort
            render={(s: Subscription) =>
              `Version ${s.priceVersion}${s.servicePriceVersion > s.priceVersion ? ' (a new price awaits your acceptance)' : ''}`
            }
          />
          <DataTable.Col
            source="startDate"
            label="Started"
            render={(s: Subscription) => formatDate(s.startDate)}
          />
          <DataTable.Col
            label="Runs to"
            disableSort
            render={(s: Subscription) =>
              s.endDate ? `Ends ${formatDate(s.endDate)}` : `Term to ${formatDate(s.termEndDate)}`
            }
          />
        </DataTable>
      )}
    </ApiList>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: '14rem 1fr' }, gap: 0.5, py: 0.5 }}>
      <Typography component="dt" variant="body2" color="text.secondary">
        {label}
      </Typography>
      <Typography component="dd" variant="body2" sx={{ m: 0 }}>
        {children}
      </Typography>
    </Box>
  );
}

function History({ id }: { id: string }) {
  const history = useQuery({
    queryKey: ['subscription-history', id],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/subscriptions/{id}/history', {
          params: { path: { id }, query: { limit: 200, sort: '-occurredAt' } },
          signal,
        }),
      ),
  });
  if (history.isPending) return <Typography variant="body2">Loading the history…</Typography>;
  if (history.error) return <Alert severity="error">{messageFor(history.error)}</Alert>;
  return (
    <MuiList dense disablePadding aria-label="History">
      {history.data.data.map((event) => (
        <ListItem key={event.id} disableGutters sx={{ display: 'block' }}>
          <Typography variant="body2">{eventText(event)}</Typography>
          <Typography variant="caption" color="text.secondary">
            {formatDateTime(event.occurredAt)} by {event.actorLabel}
          </Typography>
        </ListItem>
      ))}
    </MuiList>
  );
}

function SubscriptionDetails({ subscription }: { subscription: SubscriptionDetail }) {
  const me = useMe().data;
  const cycle = useBillingCycle(subscription.consortiumId);
  const side = sideOf(subscription, me?.organisationId);
  const price = describePricePlan(asPricePlan(subscription.pricePlan), cycle);
  return (
    <Stack spacing={2} sx={{ mt: 2, mb: 4 }}>
      <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, alignItems: 'center' }}>
        <Box sx={{ flex: '1 1 20rem' }}>
          <Typography component="h1" variant="h5">
            {subscription.serviceTitle}
          </Typography>
          <Typography variant="body1" color="text.secondary">
            {subscription.consumerOrganisationName} subscribes to {subscription.providerOrganisationName}’s
            service
          </Typography>
        </Box>
        <StatusChip subscription={subscription} />
      </Box>
      {subscription.status === 'requested' ? (
        <Alert severity="info">
          {side === 'provider'
            ? `${subscription.consumerOrganisationName} is waiting for your decision.`
            : `Waiting for ${subscription.providerOrganisationName} to approve the request.`}
        </Alert>
      ) : null}
      {subscription.statusReason ? (
        <Alert severity="warning">Reason given: {subscription.statusReason}</Alert>
      ) : null}
      <SubscriptionActions
        subscription={subscription}
        availableActions={subscription.availableActions}
        side={side}
      />
      <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' } }}>
        <Card variant="outlined">
          <CardContent>
            <Typography component="h2" variant="h6" gutterBottom>
              Agreed price
            </Typography>
            <Typography variant="h6" component="p">
              {price.summary}
            </Typography>
            <Box component="ul" sx={{ pl: 2.5, my: 1 }}>
              {price.details.map((line) => (
                <Typography component="li" variant="body2" key={line}>
                  {line}
                </Typography>
              ))}
            </Box>
            <Typography variant="body2" color="text.secondary">
              Price version {subscription.priceVersion}
              {subscription.servicePriceVersion > subscription.priceVersion
                ? `; the service now charges new subscribers version ${subscription.servicePriceVersion}, which ${side === 'consumer' ? 'you' : 'the subscriber'} may accept.`
                : ', the service’s current price.'}
            </Typography>
          </CardContent>
        </Card>
        <Card variant="outlined">
          <CardContent>
            <Typography component="h2" variant="h6" gutterBottom>
              Terms
            </Typography>
            <Box component="dl" sx={{ m: 0 }}>
              <Fact label="Quantity">
                {subscription.quantities
                  .map((q) => `${formatQuantity(q.quantity)} from ${formatDate(q.effectiveFrom)}`)
                  .join('; ')}
              </Fact>
              <Fact label="First day of service">{formatDate(subscription.startDate)}</Fact>
              <Fact label="Initial term">
                {subscription.termMonths} months, to {formatDate(subscription.termEndDate)}
              </Fact>
              <Fact label="Notice period">{subscription.noticePeriodMonths} months</Fact>
              {subscription.endDate ? (
                <Fact label="Last day of service">{formatDate(subscription.endDate)}</Fact>
              ) : null}
              <Fact label="Purchase order">{subscription.purchaseOrderReference ?? '—'}</Fact>
              <Fact label="Cost centre">{subscription.costCentre ?? '—'}</Fact>
              {subscription.baselineAnnualCost ? (
                <Fact label="In-house cost a year">
                  {formatMoney(
                    subscription.baselineAnnualCost.amountMinor,
                    subscription.baselineAnnualCost.currency,
                  )}
                </Fact>
              ) : null}
              <Fact label="Requested">{formatDateTime(subscription.createdAt)}</Fact>
              {subscription.decidedAt ? (
                <Fact label="Decided">{formatDateTime(subscription.decidedAt)}</Fact>
              ) : null}
            </Box>
          </CardContent>
        </Card>
      </Box>
      <Card variant="outlined">
        <CardContent>
          <Typography component="h2" variant="h6" gutterBottom>
            History
          </Typography>
          <History id={subscription.id} />
        </CardContent>
      </Card>
    </Stack>
  );
}

/** A subscription, from either side: status, agreed price, terms, history and what may be done now. */
export function SubscriptionShow({ resource }: { resource: string }) {
  const { record, error, isPending } = useShowController<SubscriptionDetail>({
    resource,
    ...EXPLAIN_IN_PLACE,
  });
  // react-admin shows a list row while the detail loads; the row has no agreed plan or actions yet.
  if (isPending || (record && !('availableActions' in record)))
    return <Loading loadingPrimary="Loading the subscription" loadingSecondary="" />;
  if (error || !record) {
    return (
      <Alert severity="error" role="alert" sx={{ mt: 2 }}>
        {error ? messageFor(error) : 'This subscription could not be found.'}
      </Alert>
    );
  }
  return (
    <>
      <Title title={record.serviceTitle} />
      <SubscriptionDetails subscription={record} />
    </>
  );
}

export const RequestShow = () => <SubscriptionShow resource={REQUESTS} />;
export const MySubscriptionShow = () => <SubscriptionShow resource={MY_SUBSCRIPTIONS} />;
