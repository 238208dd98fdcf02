import { Box, Card, CardContent, Stack, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import {
  ArrayField,
  Datagrid,
  FunctionField,
  RecordContextProvider,
  SelectInput,
  TextField,
  Title,
  usePermissions,
} from 'react-admin';
import { formatDateRange, formatDateTime } from '../format/date';
import { formatMoneyAbsolute, netPositionPhrase } from '../format/money';
import { periodName } from '../format/period';
import { hasRole, type Permissions } from '../roles';
import { ConsortiumPicker } from './ConsortiumPicker';
import { type Account, type AccountEntry, type BillingPeriod, fetchAccount } from './finance-api';
import { Nothing, Problem, Waiting, WideTable } from './FinanceStates';
import { StatementCard } from './StatementCard';
import { retryUnlessRefused, useMyConsortia, usePeriodsAndMembers } from './useConsortia';
import { balancePhrase, entryEffect, periodStatusLabel } from './words';
import { ApiList, ListPagination } from '../layout/ListProblem';

type Period = Account['periods'][number];

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Box>
      <Typography component="dt" variant="caption" color="text.secondary">
        {label}
      </Typography>
      <Typography component="dd" variant="h6" sx={{ m: 0 }}>
        {value}
      </Typography>
    </Box>
  );
}

/** The member's account: what it is owed, what it owes and its net position, to date and per period. */
function AccountCard({ consortiumId }: { consortiumId: string }) {
  const account = useQuery({
    queryKey: ['finance', 'account', consortiumId],
    queryFn: ({ signal }) => fetchAccount(consortiumId, signal),
    retry: retryUnlessRefused,
  });
  if (account.error) return <Problem error={account.error} />;
  if (!account.data) return <Waiting what="your account" />;
  const { organisationName: name, toDate, currency } = account.data;
  return (
    <Card>
      <CardContent>
        <Typography component="h2" variant="h6">
          Account to date
        </Typography>
        <Typography variant="h5" component="p" sx={{ my: 1 }} data-testid="net-position">
          {netPositionPhrase(name, toDate.netMinor, currency)}
        </Typography>
        <Stack direction="row" spacing={4} useFlexGap flexWrap="wrap" component="dl" sx={{ m: 0 }}>
          <Figure
            label={`Receivable: others owe ${name}`}
            value={formatMoneyAbsolute(toDate.receivableMinor, currency)}
          />
          <Figure
            label={`Payable: ${name} owes others`}
            value={formatMoneyAbsolute(toDate.payableMinor, currency)}
          />
        </Stack>
        <Typography component="h3" variant="subtitle1" sx={{ mt: 2 }}>
          By period
        </Typography>
        <RecordContextProvider value={account.data}>
          <WideTable label="Account by period">
            <ArrayField source="periods">
              <Datagrid
                bulkActionButtons={false}
                rowClick={false}
                empty={<Nothing>Nothing has been posted yet.</Nothing>}
              >
                <TextField source="label" label="Period" sortable={false} />
                <FunctionField<Period>
                  label="Dates"
                  render={(p) => formatDateRange(p.startDate, p.endDate)}
                />
                <FunctionField<Period> label="Status" render={(p) => periodStatusLabel(p.status)} />
                <FunctionField<Period>
                  label="Receivable"
                  textAlign="right"
                  render={(p) => formatMoneyAbsolute(p.receivableMinor, currency)}
                />
                <FunctionField<Period>
                  label="Payable"
                  textAlign="right"
                  render={(p) => formatMoneyAbsolute(p.payableMinor, currency)}
                />
                <FunctionField<Period>
                  label="Net position"
                  render={(p) => netPositionPhrase(name, p.netMinor, currency)}
                />
              </Datagrid>
            </ArrayField>
          </WideTable>
        </RecordContextProvider>
      </CardContent>
    </Card>
  );
}

/**
 * The postings behind the account, newest first, with the running balance; filtered by period and the other
 * organisation, paginated by the API's cursors.
 */
function EntriesCard({
  consortiumId,
  periods,
  counterparties,
}: {
  consortiumId: string;
  periods: BillingPeriod[];
  counterparties: { id: string; name: string }[];
}) {
  const periodLabel = (id: string) => periods.find((p) => p.id === id)?.label ?? '';
  const filters = [
    <SelectInput
      key="billingPeriodId"
      source="billingPeriodId"
      label="Billing period"
      choices={periods.map((p) => ({ id: p.id, name: p.label }))}
      emptyText="Every period"
      alwaysOn
    />,
    <SelectInput
      key="counterpartyId"
      source="counterpartyId"
      label="With"
      choices={counterparties}
      emptyText="Any organisation"
      alwaysOn
    />,
  ];
  return (
    <Card>
      <CardContent>
        <Typography component="h2" variant="h6">
          Ledger entries
        </Typography>
        <ApiList
          resource="account-entries"
          filter={{ consortiumId }}
          filters={filters}
          sort={{ field: 'postedAt', order: 'DESC' }}
          perPage={10}
          pagination={<ListPagination rowsPerPageOptions={[10, 25, 50]} />}
          disableSyncWithLocation
          storeKey={false}
          exporter={false}
          actions={false}
          title={false}
          empty={<Nothing>Nothing has been posted to your accounts yet.</Nothing>}
          sx={{ '& .RaList-content': { boxShadow: 'none' } }}
        >
          <WideTable label="Ledger entries">
            <Datagrid
              bulkActionButtons={false}
              rowClick={false}
              empty={<Nothing>No entries match these filters.</Nothing>}
            >
              <FunctionField<AccountEntry>
                label="Posted"
                source="postedAt"
                sortBy="postedAt"
                render={(e) => formatDateTime(e.postedAt)}
              />
              <TextField source="description" label="Entry" sortable={false} />
              <FunctionField<AccountEntry> label="With" render={(e) => e.counterpartyName ?? '—'} />
              <FunctionField<AccountEntry>
                label="Period"
                render={(e) => periodLabel(e.billingPeriodId) || periodName(e.billingPeriodKey)}
              />
              <FunctionField<AccountEntry> label="Amount" textAlign="right" render={(e) => entryEffect(e)} />
              <FunctionField<AccountEntry>
                label="Running balance"
                textAlign="right"
                render={(e) => balancePhrase(e.runningBalanceMinor, e.currency)}
              />
            </Datagrid>
          </WideTable>
        </ApiList>
      </CardContent>
    </Card>
  );
}

/** The member's account in each consortium and its statement per period (viewers see the statement only). */
export function AccountPage() {
  const { permissions } = usePermissions<Permissions>();
  const consortia = useMyConsortia();
  const lookups = usePeriodsAndMembers(consortia.data?.consortia);
  const [chosen, setChosen] = useState<string | null>(null);
  const seesLedger = hasRole(permissions, 'finance', 'org_admin');

  let body;
  if (consortia.error || lookups.error) body = <Problem error={consortia.error ?? lookups.error} />;
  else if (!consortia.data || !lookups.data) body = <Waiting what="your account" />;
  else if (consortia.data.consortia.length === 0)
    body = <Nothing>Your organisation is not an active member of any consortium yet.</Nothing>;
  else {
    const consortiumId = chosen ?? consortia.data.consortia[0].id;
    const periods = lookups.data.periods.filter((p) => p.consortiumId === consortiumId);
    body = (
      <Stack spacing={2}>
        <ConsortiumPicker consortia={consortia.data.consortia} value={consortiumId} onChange={setChosen} />
        {seesLedger && <AccountCard consortiumId={consortiumId} />}
        <StatementCard key={consortiumId} consortiumId={consortiumId} periods={periods} />
        {seesLedger && (
          <EntriesCard
            key={consortiumId}
            consortiumId={consortiumId}
            periods={periods}
            counterparties={lookups.data.members.filter((m) => m.id !== consortia.data.organisationId)}
          />
        )}
      </Stack>
    );
  }
  return (
    <Box sx={{ my: 2 }}>
      <Title title="Account and statement" />
      <Typography component="h1" variant="h5" gutterBottom>
        Account and statement
      </Typography>
      {body}
    </Box>
  );
}
