import { Alert, Button, Stack } from '@mui/material';
import { useState } from 'react';
import {
  CreateButton,
  DataTable,
  EditButton,
  Loading,
  SelectInput,
  SimpleList,
  Title,
  TopToolbar,
  useShowController,
} from 'react-admin';
import { api } from '../api/client';
import { messageFor, unwrap } from '../api/problem';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { formatDate } from '../format/date';
import { byDate, type SortOption, SortChoice } from '../layout/SortChoice';
import { ServiceTitle } from './CatalogueList';
import { EXPLAIN_IN_PLACE, useApiAction, useBillingCycle, useNarrow } from './hooks';
import { choicesOf, COMPLIANCE_KIND_LABELS, SERVICE_STATUS_LABELS } from './labels';
import { asPricePlan, describePricePlan } from './price-plan-text';
import { MY_SERVICES, type Service } from './resources';
import { CertificateDialog, PriceVersionsPanel } from './ServiceAdminPanels';
import { ServiceDetails } from './ServiceDetails';
import { capacityText, subscriptionProblemMessage } from './subscription-text';
import { SERVICE_STATUS_TONE, ToneChip } from './Tone';
import { ApiList } from '../layout/ListProblem';

function PriceCell({ service }: { service: Service }) {
  const cycle = useBillingCycle(service.consortiumId);
  return <>{describePricePlan(asPricePlan(service.price.plan), cycle).summary}</>;
}

const filters = [
  <SelectInput
    key="status"
    source="status"
    label="Status"
    choices={choicesOf(SERVICE_STATUS_LABELS)}
    emptyText="Any status"
    alwaysOn
  />,
];

/** The orders GET /services offers, for a phone's rows. */
const MY_SERVICE_SORTS: SortOption[] = [
  { field: 'title', order: 'ASC', label: 'Title, A to Z' },
  { field: 'title', order: 'DESC', label: 'Title, Z to A' },
  ...byDate('createdAt', 'Listed most recently', 'Listed longest ago'),
];

/** The organisation's own services, drafts included. */
export function MyServiceList() {
  const narrow = useNarrow();
  const empty = (
    <Alert severity="info" sx={{ m: 2 }}>
      Your organisation has no services yet (with these filters). List one with “List a new service”.
    </Alert>
  );
  return (
    <ApiList
      resource={MY_SERVICES}
      title="My services"
      filters={filters}
      sort={{ field: 'title', order: 'ASC' }}
      perPage={25}
      exporter={false}
      empty={false}
      actions={
        <TopToolbar>
          <CreateButton label="List a new service" />
        </TopToolbar>
      }
    >
      {narrow ? <SortChoice options={MY_SERVICE_SORTS} /> : null}
      {narrow ? (
        <SimpleList<Service>
          resource={MY_SERVICES}
          linkType="show"
          primaryText={(service) => service.title}
          secondaryText={(service) => SERVICE_STATUS_LABELS[service.status]}
          tertiaryText={(service) => capacityText(service.capacity)}
          empty={empty}
        />
      ) : (
        <DataTable bulkActionButtons={false} rowClick={false} empty={empty}>
          <DataTable.Col
            source="title"
            label="Service"
            render={(service: Service) => <ServiceTitle service={service} resource={MY_SERVICES} />}
          />
          <DataTable.Col
            source="status"
            label="Status"
            disableSort
            render={(service: Service) => (
              <ToneChip
                tone={SERVICE_STATUS_TONE[service.status]}
                label={SERVICE_STATUS_LABELS[service.status]}
              />
            )}
          />
          <DataTable.Col
            source="price"
            label="Price"
            disableSort
            render={(service: Service) => <PriceCell service={service} />}
          />
          <DataTable.Col
            source="capacity"
            label="Capacity"
            disableSort
            render={(service: Service) => capacityText(service.capacity)}
          />
          <DataTable.Col
            source="createdAt"
            label="Listed"
            sortByOrder="DESC"
            render={(service: Service) => formatDate(service.createdAt)}
          />
        </DataTable>
      )}
    </ApiList>
  );
}

type Step = 'publish' | 'suspend' | 'resume' | 'retire';

/** What each lifecycle step says before it is taken; suspending and retiring are confirmed. */
const STEPS: Record<Step, { label: string; done: string; confirm?: string }> = {
  publish: {
    label: 'Publish',
    done: 'Published: members of the consortium can now find and subscribe to it.',
  },
  suspend: {
    label: 'Suspend',
    done: 'Suspended: it takes no new subscriptions until you resume it.',
    confirm: 'It stays in force for its subscribers but takes no new subscriptions until you resume it.',
  },
  resume: { label: 'Resume', done: 'Resumed: it takes new subscriptions again.' },
  retire: {
    label: 'Retire',
    done: 'Retired.',
    confirm:
      'Retiring is for good: a retired service takes no new subscriptions, no changes and is never revived.',
  },
};

const STEPS_FROM: Record<Service['status'], Step[]> = {
  draft: ['publish'],
  published: ['suspend', 'retire'],
  suspended: ['resume', 'retire'],
  retired: [],
};

async function takeStep(id: string, step: Step) {
  const path = { params: { path: { id } } };
  switch (step) {
    case 'publish':
      return unwrap(await api.POST('/api/v1/services/{id}/publish', path));
    case 'suspend':
      return unwrap(await api.POST('/api/v1/services/{id}/suspend', path));
    case 'resume':
      return unwrap(await api.POST('/api/v1/services/{id}/resume', path));
    case 'retire':
      return unwrap(await api.POST('/api/v1/services/{id}/retire', path));
  }
}

function LifecycleButtons({ service }: { service: Service }) {
  const [confirming, setConfirming] = useState<Step | null>(null);
  const run = (which: Step) => takeStep(service.id, which);
  const done = (_: unknown, which: Step) => STEPS[which].done;
  // A step taken at once says a refusal as a toast; a confirmed one says it in its dialog, which stays open.
  const step = useApiAction(run, done);
  const confirmed = useApiAction(run, done, { refusals: 'in-dialog' });
  return (
    <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap' }}>
      {service.status !== 'retired' ? (
        <EditButton resource={MY_SERVICES} record={service} label="Edit" />
      ) : null}
      {STEPS_FROM[service.status].map((which) => (
        <Button
          key={which}
          variant={which === 'publish' || which === 'resume' ? 'contained' : 'outlined'}
          color={which === 'retire' ? 'error' : 'primary'}
          disabled={step.isPending || confirmed.isPending}
          onClick={() => (STEPS[which].confirm ? setConfirming(which) : step.mutate(which))}
        >
          {STEPS[which].label}
        </Button>
      ))}
      {confirming ? (
        <ConfirmDialog
          open
          title={`${STEPS[confirming].label} ${service.title}?`}
          confirmLabel={STEPS[confirming].label}
          describeError={subscriptionProblemMessage}
          onClose={() => setConfirming(null)}
          onConfirm={() => confirmed.mutateAsync(confirming)}
        >
          {STEPS[confirming].confirm}
        </ConfirmDialog>
      ) : null}
    </Stack>
  );
}

/** One of the organisation's services: its lifecycle, prices and certificates. */
export function MyServiceShow() {
  const { record, error, isPending } = useShowController<Service>({
    resource: MY_SERVICES,
    ...EXPLAIN_IN_PLACE,
  });
  const [adding, setAdding] = useState(false);
  const [withdrawing, setWithdrawing] = useState<Service['compliance']['attestations'][number] | null>(null);
  const withdraw = useApiAction(
    async ({ serviceId, attestationId }: { serviceId: string; attestationId: string }) =>
      unwrap(
        await api.DELETE('/api/v1/services/{id}/compliance/{attestationId}', {
          params: { path: { id: serviceId, attestationId } },
        }),
      ),
    'Certificate withdrawn.',
    { refusals: 'in-dialog' },
  );

  if (isPending) return <Loading loadingPrimary="Loading the service" loadingSecondary="" />;
  if (error || !record) {
    return (
      <Alert severity="error" role="alert" sx={{ mt: 2 }}>
        {error ? messageFor(error) : 'This service could not be found.'}
      </Alert>
    );
  }
  const changeable = record.status !== 'retired';
  return (
    <>
      <Title title={record.title} />
      <ServiceDetails
        service={record}
        actions={<LifecycleButtons service={record} />}
        certificateAction={
          changeable
            ? (attestation) => (
                <Button size="small" color="error" onClick={() => setWithdrawing(attestation)}>
                  Withdraw
                </Button>
              )
            : undefined
        }
        complianceActions={
          changeable ? (
            <Button variant="outlined" onClick={() => setAdding(true)}>
              Add a certificate
            </Button>
          ) : null
        }
      >
        <PriceVersionsPanel service={record} canChange={changeable} />
      </ServiceDetails>
      {adding ? <CertificateDialog service={record} onClose={() => setAdding(false)} /> : null}
      {withdrawing ? (
        <ConfirmDialog
          open
          title={`Withdraw the ${COMPLIANCE_KIND_LABELS[withdrawing.kind]} certificate?`}
          confirmLabel="Withdraw certificate"
          describeError={subscriptionProblemMessage}
          onClose={() => setWithdrawing(null)}
          onConfirm={() => withdraw.mutateAsync({ serviceId: record.id, attestationId: withdrawing.id })}
        >
          {`Certificate ${withdrawing.certificateReference} will no longer be shown on ${record.title}.`}
        </ConfirmDialog>
      ) : null}
    </>
  );
}
