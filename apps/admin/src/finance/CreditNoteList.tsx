import { Box, Typography, useMediaQuery, type Theme } from '@mui/material';
import { Datagrid, FunctionField, Link, SelectInput, SimpleList, TextField, Title } from 'react-admin';
import { formatDate } from '../format/date';
import { SortChoice } from '../layout/SortChoice';
import { CHARGE_SORTS } from './ChargeList';
import { formatAmount } from '../format/money';
import type { CreditNoteSummary } from './finance-api';
import { Nothing, Problem, Waiting } from './FinanceStates';
import { useFinanceFilters } from './useConsortia';
import { CREDIT_DIRECTION_LABELS, creditNoteSentence } from './words';
import { ApiList, ListPagination } from '../layout/ListProblem';

const DIRECTION_CHOICES = Object.entries(CREDIT_DIRECTION_LABELS).map(([id, name]) => ({ id, name }));

function CreditNoteGrid({ periodLabel }: { periodLabel: (id: string) => string }) {
  const phone = useMediaQuery((theme: Theme) => theme.breakpoints.down('sm'));
  const empty = <Nothing>No credit notes match these filters.</Nothing>;
  const chargeLink = (note: CreditNoteSummary) => `/cross-charges/${note.crossChargeId}/show`;
  if (phone) {
    return (
      <>
        {/* GET /credit-notes sorts as the charges list does. */}
        <SortChoice options={CHARGE_SORTS} />
        <SimpleList<CreditNoteSummary>
          primaryText={(note) => creditNoteSentence(note)}
          secondaryText={(note) =>
            `${note.reference} · ${periodLabel(note.billingPeriod.id)} · ${formatDate(note.createdAt)}`
          }
          linkType={false}
          empty={empty}
        />
      </>
    );
  }
  return (
    <Datagrid bulkActionButtons={false} empty={empty}>
      <FunctionField<CreditNoteSummary>
        label="Credit"
        sortable={false}
        render={(note) => creditNoteSentence(note)}
      />
      <TextField source="reference" label="Reference" />
      {/* The credit corrects a charge: its page holds the line, the dispute and the reasons. */}
      <FunctionField<CreditNoteSummary>
        label="Charge"
        sortable={false}
        render={(note) => <Link to={chargeLink(note)}>{note.crossChargeReference}</Link>}
      />
      <FunctionField<CreditNoteSummary>
        label="Period"
        sortable={false}
        render={(note) => periodLabel(note.billingPeriod.id)}
      />
      <FunctionField<CreditNoteSummary>
        label="Direction"
        sortable={false}
        render={(note) => (note.direction ? CREDIT_DIRECTION_LABELS[note.direction] : 'Between members')}
      />
      <TextField source="reason" label="Reason" sortable={false} />
      <FunctionField<CreditNoteSummary>
        label="Gross (inc. VAT)"
        source="grossMinor"
        sortBy="grossMinor"
        textAlign="right"
        render={(note) => formatAmount(note.gross)}
      />
      <FunctionField<CreditNoteSummary>
        label="Raised"
        source="createdAt"
        sortBy="createdAt"
        render={(note) => formatDate(note.createdAt)}
      />
    </Datagrid>
  );
}

/** Credit notes to and from the signed-in organisation across periods, filtered by period and direction. */
export function CreditNoteList() {
  const filterData = useFinanceFilters();
  if (filterData.error) return <Problem error={filterData.error} />;
  if (!filterData.data) return <Waiting what="credit notes" />;

  const { periods, periodChoices } = filterData.data;
  // The period's name ("October to December 2026"), not its key ("2026-Q4").
  const periodLabel = (id: string) => periods.find((p) => p.id === id)?.label ?? 'Unknown period';
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
  ];

  return (
    <Box>
      <Title title="Credit notes" />
      <Typography component="h1" variant="h5" sx={{ mt: 2 }}>
        Credit notes
      </Typography>
      <Typography color="text.secondary" sx={{ mt: 1 }}>
        Corrections of charge lines, each posted to the ledger as a reversing entry. Open the charge for the
        dispute behind a credit.
      </Typography>
      <ApiList
        resource="credit-notes"
        filters={filters}
        sort={{ field: 'createdAt', order: 'DESC' }}
        perPage={25}
        pagination={<ListPagination rowsPerPageOptions={[10, 25, 50]} />}
        exporter={false}
        title={false}
        empty={<Nothing>No credit notes have been raised to or by your organisation.</Nothing>}
      >
        <CreditNoteGrid periodLabel={periodLabel} />
      </ApiList>
    </Box>
  );
}
