import { Box, Typography, useMediaQuery, type Theme } from '@mui/material';
import type { MouseEvent } from 'react';
import {
  Datagrid,
  FunctionField,
  Link,
  SelectInput,
  SimpleList,
  TextField,
  Title,
  useListContext,
  usePermissions,
} from 'react-admin';
import { formatDate } from '../format/date';
import { reconciliationPath, seesReconciliation } from '../reconciliation/words';
import type { Permissions } from '../roles';
import { byDate, type SortOption, SortChoice } from '../layout/SortChoice';
import { formatAmount } from '../format/money';
import { Nothing, Problem, Waiting } from './FinanceStates';
import { useFinanceFilters } from './useConsortia';
import {
  CHARGE_STATUS_LABELS,
  chargeSentence,
  type CrossCharge,
  DIRECTION_LABELS,
  supplementLabel,
} from './words';
import { ApiList, ListPagination } from '../layout/ListProblem';

const STATUS_CHOICES = Object.entries(CHARGE_STATUS_LABELS).map(([id, name]) => ({ id, name }));
const DIRECTION_CHOICES = Object.entries(DIRECTION_LABELS).map(([id, name]) => ({ id, name }));

/** The orders GET /cross-charges offers (when raised, gross amount, reference), for a phone's rows. */
export const CHARGE_SORTS: SortOption[] = [
  ...byDate('createdAt', 'Newest first', 'Oldest first'),
  { field: 'grossMinor', order: 'DESC', label: 'Largest amount first' },
  { field: 'grossMinor', order: 'ASC', label: 'Smallest amount first' },
  { field: 'reference', order: 'ASC', label: 'By reference' },
];

/** "Supplementary to ECIC-2026-Q4-0018", the original a link, under a supplementary charge's sentence. */
function SupplementOf({ charge }: { charge: CrossCharge }) {
  if (!charge.supplementOf) return null;
  return (
    <Typography variant="body2" color="text.secondary" component="span" display="block">
      Supplementary to{' '}
      <Link
        to={`/cross-charges/${charge.supplementOf.id}/show`}
        onClick={(event: MouseEvent) => event.stopPropagation()}
        aria-label={`Original charge ${charge.supplementOf.reference}`}
      >
        {charge.supplementOf.reference}
      </Link>
    </Typography>
  );
}

/**
 * For the period chosen in the filter: the way to its reconciliation (is everything in force and reported on a
 * charge?), for those who may see it.
 */
function PeriodReconciliationLink({ periodLabel }: { periodLabel: (id: string) => string }) {
  const { filterValues } = useListContext();
  const { permissions } = usePermissions<Permissions>();
  const periodId = typeof filterValues?.billingPeriodId === 'string' ? filterValues.billingPeriodId : null;
  if (!periodId || !seesReconciliation(permissions)) return null;
  return (
    <Typography variant="body2" sx={{ px: 2, pt: 2 }}>
      Is everything in {periodLabel(periodId)} charged?{' '}
      <Link to={reconciliationPath(periodId)}>See the reconciliation of {periodLabel(periodId)}</Link>
    </Typography>
  );
}

function ChargeGrid({ periodLabel }: { periodLabel: (id: string) => string }) {
  const phone = useMediaQuery((theme: Theme) => theme.breakpoints.down('sm'));
  const empty = <Nothing>No cross-charges match these filters.</Nothing>;
  if (phone) {
    return (
      <>
        <SortChoice options={CHARGE_SORTS} />
        <SimpleList<CrossCharge & { id: string }>
          primaryText={(charge) => chargeSentence(charge)}
          secondaryText={(charge) =>
            [
              charge.reference,
              supplementLabel(charge),
              periodLabel(charge.billingPeriod.id),
              CHARGE_STATUS_LABELS[charge.status],
            ]
              .filter(Boolean)
              .join(' · ')
          }
          linkType="show"
          empty={empty}
        />
      </>
    );
  }
  return (
    <Datagrid rowClick="show" bulkActionButtons={false} empty={empty}>
      {/* A real link, so the row opens from the keyboard too (a row click is for the mouse only). */}
      <FunctionField<CrossCharge>
        label="Charge"
        sortable={false}
        render={(charge) => (
          <>
            <Link to={`/cross-charges/${charge.id}/show`} sx={{ fontWeight: 600 }}>
              {chargeSentence(charge)}
            </Link>
            <SupplementOf charge={charge} />
          </>
        )}
      />
      <TextField source="reference" label="Reference" />
      <FunctionField<CrossCharge>
        label="Period"
        sortable={false}
        render={(charge) => periodLabel(charge.billingPeriod.id)}
      />
      <FunctionField<CrossCharge>
        label="Direction"
        sortable={false}
        render={(charge) => (charge.direction ? DIRECTION_LABELS[charge.direction] : 'Between members')}
      />
      <FunctionField<CrossCharge>
        label="Status"
        sortable={false}
        render={(charge) => CHARGE_STATUS_LABELS[charge.status]}
      />
      <FunctionField<CrossCharge>
        label="Gross (inc. VAT)"
        source="grossMinor"
        sortBy="grossMinor"
        textAlign="right"
        render={(charge) => formatAmount(charge.gross)}
      />
      <FunctionField<CrossCharge>
        label="Raised"
        source="createdAt"
        sortBy="createdAt"
        render={(charge) => formatDate(charge.createdAt)}
      />
    </Datagrid>
  );
}

/**
 * Cross-charges to and from the signed-in organisation, filtered by billing period (the open one first), direction,
 * status and counterparty; sorted by when raised, amount or reference; paginated by the API's cursors.
 */
export function ChargeList() {
  const filterData = useFinanceFilters();
  if (filterData.error) return <Problem error={filterData.error} />;
  if (!filterData.data) return <Waiting what="cross-charges" />;

  const { organisationId, periods, periodChoices, members } = filterData.data;
  const periodLabel = (id: string) => periods.find((p) => p.id === id)?.label ?? 'Unknown period';
  const counterparties = members.filter((m) => m.id !== organisationId);
  const openPeriod = periods.find((p) => p.status === 'open');

  const filters = [
    <SelectInput
      key="billingPeriodId"
      source="billingPeriodId"
      label="Billing period"
      choices={periodChoices}
      emptyText="Every period"
      alwaysOn
    />,
    <SelectInput
      key="direction"
      source="direction"
      label="Direction"
      choices={DIRECTION_CHOICES}
      emptyText="To and from us"
      alwaysOn
    />,
    <SelectInput
      key="status"
      source="status"
      label="Status"
      choices={STATUS_CHOICES}
      emptyText="Any status"
      alwaysOn
    />,
    <SelectInput
      key="counterpartyId"
      source="counterpartyId"
      label="Counterparty"
      choices={counterparties}
      emptyText="Any organisation"
      alwaysOn
    />,
  ];

  return (
    <Box>
      <Title title="Cross-charges" />
      <Typography component="h1" variant="h5" sx={{ mt: 2 }}>
        Cross-charges
      </Typography>
      <ApiList
        resource="cross-charges"
        filters={filters}
        filterDefaultValues={openPeriod ? { billingPeriodId: openPeriod.id } : {}}
        sort={{ field: 'createdAt', order: 'DESC' }}
        perPage={25}
        pagination={<ListPagination rowsPerPageOptions={[10, 25, 50]} />}
        exporter={false}
        title={false}
        empty={<Nothing>There are no cross-charges to or from your organisation yet.</Nothing>}
      >
        <PeriodReconciliationLink periodLabel={periodLabel} />
        <ChargeGrid periodLabel={periodLabel} />
      </ApiList>
    </Box>
  );
}
