import { Alert, Box, Button, Typography } from '@mui/material';
import {
  BooleanInput,
  DataTable,
  FilterButton,
  Link as RaLink,
  SearchInput,
  SelectInput,
  SimpleList,
  SortButton,
  TopToolbar,
  useCreatePath,
  useListContext,
} from 'react-admin';
import { formatDate } from '../format/date';
import { useBillingCycle, useMe, useNarrow, useProviderChoices } from './hooks';
import {
  CATEGORY_LABELS,
  choicesOf,
  COMPLIANCE_KIND_LABELS,
  COMPLIANCE_STATUS_SHORT_LABELS,
  ORGANISATION_TYPE_LABELS,
  PRICE_MODEL_LABELS,
  SERVICE_STATUS_LABELS,
} from './labels';
import { asPricePlan, describePricePlan } from './price-plan-text';
import { CATALOGUE, type Service } from './resources';
import { capacityText } from './subscription-text';
import { COMPLIANCE_STATUS_TONE, ToneChip } from './Tone';
import { ApiList } from '../layout/ListProblem';

function PriceCell({ service }: { service: Service }) {
  const cycle = useBillingCycle(service.consortiumId);
  return <>{describePricePlan(asPricePlan(service.price.plan), cycle).summary}</>;
}

/** The title links to the service page, so the list works by keyboard as well as by clicking a row. */
export function ServiceTitle({ service, resource }: { service: Service; resource: string }) {
  const createPath = useCreatePath();
  return (
    <Box>
      <RaLink to={createPath({ resource, id: service.id, type: 'show' })} sx={{ fontWeight: 500 }}>
        {service.title}
      </RaLink>
      <Typography variant="body2" color="text.secondary" sx={{ display: { xs: 'none', xl: 'block' } }}>
        {service.summary}
      </Typography>
    </Box>
  );
}

function ProviderFilter(props: { source: string; label: string; alwaysOn?: boolean }) {
  const { data, isPending } = useProviderChoices();
  return <SelectInput {...props} choices={data ?? []} isPending={isPending} emptyText="Any provider" />;
}

const filters = [
  <SearchInput key="q" source="q" alwaysOn placeholder="Search services" aria-label="Search services" />,
  <SelectInput
    key="category"
    source="category"
    label="Category"
    choices={choicesOf(CATEGORY_LABELS)}
    emptyText="Any category"
    alwaysOn
  />,
  <ProviderFilter key="providerId" source="providerId" label="Provider" alwaysOn />,
  <SelectInput
    key="compliance"
    source="compliance"
    label="Holds a current certificate"
    choices={choicesOf(COMPLIANCE_KIND_LABELS)}
    emptyText="Any"
  />,
  <SelectInput
    key="priceModel"
    source="priceModel"
    label="Pricing"
    choices={choicesOf(PRICE_MODEL_LABELS)}
    emptyText="Any pricing"
  />,
  <SelectInput
    key="providerType"
    source="providerType"
    label="Provider type"
    choices={choicesOf(ORGANISATION_TYPE_LABELS)}
    emptyText="Any type"
  />,
  <BooleanInput key="hasCapacity" source="hasCapacity" label="Has room for more" />,
  // Suspended and retired services are listed to the organisations subscribing to them (and to their provider).
  <SelectInput
    key="status"
    source="status"
    label="Status"
    choices={choicesOf(SERVICE_STATUS_LABELS)}
    emptyText="Published"
  />,
];

/** What an empty catalogue says: nothing matches the filters, or the organisation is in no consortium yet. */
function NoServices() {
  const { filterValues, setFilters } = useListContext();
  const me = useMe().data;
  const filtered = Object.keys(filterValues).length > 0;
  return (
    <Box sx={{ p: 3 }}>
      {me && me.activeConsortia.length === 0 ? (
        <Alert severity="info">
          Your organisation is not an active member of a consortium yet, so there is no catalogue to browse.
        </Alert>
      ) : filtered ? (
        <Alert
          severity="info"
          action={
            <Button color="inherit" size="small" onClick={() => setFilters({}, [])}>
              Clear filters
            </Button>
          }
        >
          No services match your search and filters.
        </Alert>
      ) : (
        <Alert severity="info">No services have been published in your consortia yet.</Alert>
      )}
    </Box>
  );
}

function PhoneRows({ resource }: { resource: string }) {
  return (
    <SimpleList<Service>
      resource={resource}
      linkType="show"
      primaryText={(service) => service.title}
      secondaryText={(service) => `${service.provider.name} · ${CATEGORY_LABELS[service.category]}`}
      tertiaryText={(service) => COMPLIANCE_STATUS_SHORT_LABELS[service.compliance.status]}
      empty={<NoServices />}
    />
  );
}

/** The catalogue: every published service of the person's consortia, searched, filtered, sorted and paged. */
export function CatalogueList() {
  const narrow = useNarrow();
  return (
    <ApiList
      resource={CATALOGUE}
      title="Service catalogue"
      filters={filters}
      sort={{ field: 'relevance', order: 'ASC' }}
      perPage={25}
      exporter={false}
      empty={false}
      actions={
        <TopToolbar>
          <FilterButton />
          <SortButton fields={['relevance', 'title', 'publishedAt']} label="Sort" />
        </TopToolbar>
      }
    >
      {narrow ? (
        <PhoneRows resource={CATALOGUE} />
      ) : (
        <DataTable bulkActionButtons={false} empty={<NoServices />} rowClick={false}>
          <DataTable.Col
            source="title"
            label="Service"
            sx={{ minWidth: '16rem' }}
            render={(service: Service) => <ServiceTitle service={service} resource={CATALOGUE} />}
          />
          <DataTable.Col source="provider.name" label="Provider" disableSort />
          <DataTable.Col
            source="category"
            label="Category"
            disableSort
            render={(service: Service) => CATEGORY_LABELS[service.category]}
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
            source="compliance"
            label="Compliance"
            disableSort
            render={(service: Service) => (
              <ToneChip
                tone={COMPLIANCE_STATUS_TONE[service.compliance.status]}
                label={COMPLIANCE_STATUS_SHORT_LABELS[service.compliance.status]}
              />
            )}
          />
          <DataTable.Col
            source="publishedAt"
            label="Published"
            sortByOrder="DESC"
            render={(service: Service) => formatDate(service.publishedAt)}
          />
        </DataTable>
      )}
    </ApiList>
  );
}
