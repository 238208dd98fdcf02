import { Chip, Typography } from '@mui/material';
import { Datagrid, FunctionField, SelectInput } from 'react-admin';
import { choicesOf } from '../catalogue/labels';
import { formatDate, formatDateRange } from '../format/date';
import { ScrollX } from './ScrollX';
import { type AdministeredConsortium, InConsortium } from './InConsortium';
import { type BillingPeriod, RESOURCES } from './resources';
import { ShowLink } from './ShowLink';
import { BILLING_PERIOD_STATUS_LABELS } from './words';
import { ApiList } from '../layout/ListProblem';

const STATUS_CHOICES = choicesOf(BILLING_PERIOD_STATUS_LABELS);

export function PeriodStatusChip({ period }: { period: Pick<BillingPeriod, 'status'> }) {
  const colour = period.status === 'open' ? 'primary' : period.status === 'settled' ? 'success' : 'default';
  return <Chip size="small" color={colour} label={BILLING_PERIOD_STATUS_LABELS[period.status]} />;
}

function Periods({ consortium }: { consortium: AdministeredConsortium }) {
  return (
    <ApiList
      resource={RESOURCES.periods}
      title={`Billing periods of ${consortium.name}`}
      filter={{ consortiumId: consortium.id }}
      filters={[
        <SelectInput key="status" source="status" label="Status" choices={STATUS_CHOICES} alwaysOn />,
      ]}
      sort={{ field: 'startDate', order: 'DESC' }}
      empty={false}
      actions={false}
    >
      {/* A phone scrolls the table, not the page. */}
      <ScrollX>
        <Datagrid
          bulkActionButtons={false}
          rowClick="show"
          empty={
            <Typography sx={{ p: 2 }} color="text.secondary">
              No billing periods match these filters.
            </Typography>
          }
        >
          <FunctionField
            label="Period"
            source="startDate"
            render={(period: BillingPeriod) => (
              <ShowLink resource={RESOURCES.periods} id={period.id}>
                <strong>{period.label}</strong>
              </ShowLink>
            )}
          />
          <FunctionField
            label="Dates"
            sortable={false}
            render={(period: BillingPeriod) => formatDateRange(period.startDate, period.endDate)}
          />
          <FunctionField
            label="Status"
            sortable={false}
            render={(period: BillingPeriod) => <PeriodStatusChip period={period} />}
          />
          <FunctionField
            label="Closed on"
            sortable={false}
            render={(period: BillingPeriod) => formatDate(period.closedAt)}
          />
          <FunctionField
            label="Settled on"
            sortable={false}
            render={(period: BillingPeriod) => formatDate(period.settledAt)}
          />
        </Datagrid>
      </ScrollX>
    </ApiList>
  );
}

/** The consortium's billing periods, newest first, each opening onto its charge runs, close and settlement. */
export function PeriodsList() {
  return <InConsortium>{(consortium) => <Periods consortium={consortium} />}</InConsortium>;
}
