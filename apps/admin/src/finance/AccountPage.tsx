import {
  Alert,
  Box,
  Button,
  Card,
  CardContent,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  Stack,
  Typography,
} from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import {
  ArrayField,
  Datagrid,
  FunctionField,
  List,
  ListContextProvider,
  Pagination,
  RecordContextProvider,
  TextField,
  Title,
  useList,
  usePermissions,
} from 'react-admin';
import { messageFor } from '../api/problem';
import { formatDate, formatDateRange, formatDateTime } from '../format/date';
import { formatMoney, formatMoneyAbsolute, netPositionPhrase } from '../format/money';
import { hasRole, type Permissions } from '../roles';
import {
  type Account,
  type AccountEntry,
  type BillingPeriod,
  fetchAccount,
  fetchStatement,
  fetchStatementFile,
  type Statement,
} from './finance-api';
import { balancePhrase, entryEffect, periodStatusLabel } from './words';
import { ListProblem, Nothing, Problem, Waiting, WideTable } from './FinanceStates';
import { openPrintWindow, saveBlob, showInWindow } from './files';
import {
  type ConsortiumChoice,
  retryUnlessRefused,
  useMyConsortia,
  usePeriodsAndMembers,
} from './useConsortia';

type Period = Account['periods'][number];
type StatementCreditNote = Statement['creditNotes'][number];

/** A select of the person's consortia, shown only when there is more than one. */
export function ConsortiumPicker({
  consortia,
  value,
  onChange,
}: {
  consortia: ConsortiumChoice[];
  value: string;
  onChange: (id: string) => void;
}) {
  if (consortia.length < 2) return null;
  return (
    <FormControl size="small" sx={{ minWidth: 260 }}>
      <InputLabel id="finance-consortium">Consortium</InputLabel>
      <Select
        labelId="finance-consortium"
        label="Consortium"
        value={value}
        onChange={(e) => onChange(e.target.value)}
      >
        {consortia.map((c) => (
          <MenuItem key={c.id} value={c.id}>
            {c.name}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

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

/** The postings behind the account, newest first, with the running balance; paginated by the API's cursors. */
function EntriesCard({ consortiumId, periods }: { consortiumId: string; periods: BillingPeriod[] }) {
  const periodLabel = (id: string) => periods.find((p) => p.id === id)?.label ?? '';
  return (
    <Card>
      <CardContent>
        <Typography component="h2" variant="h6">
          Ledger entries
        </Typography>
        <List
          resource="account-entries"
          filter={{ consortiumId }}
          sort={{ field: 'postedAt', order: 'DESC' }}
          perPage={10}
          pagination={<Pagination rowsPerPageOptions={[10, 25, 50]} />}
          disableSyncWithLocation
          storeKey={false}
          exporter={false}
          actions={false}
          title={false}
          error={<ListProblem />}
          empty={<Nothing>Nothing has been posted to your accounts yet.</Nothing>}
          sx={{ '& .RaList-content': { boxShadow: 'none' } }}
        >
          <WideTable label="Ledger entries">
            <Datagrid bulkActionButtons={false} rowClick={false}>
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
                render={(e) => periodLabel(e.billingPeriodId) || e.billingPeriodKey}
              />
              <FunctionField<AccountEntry> label="Amount" textAlign="right" render={(e) => entryEffect(e)} />
              <FunctionField<AccountEntry>
                label="Running balance"
                textAlign="right"
                render={(e) => balancePhrase(e.runningBalanceMinor, e.currency)}
              />
            </Datagrid>
          </WideTable>
        </List>
      </CardContent>
    </Card>
  );
}

/** The credit notes of the statement, sortable and paginated in the browser; expand a row for its detail. */
function CreditNotes({ notes }: { notes: StatementCreditNote[] }) {
  const list = useList({ data: notes, perPage: 10, sort: { field: 'createdAt', order: 'DESC' } });
  return (
    <ListContextProvider value={list}>
      <WideTable label="Credit notes">
        <Datagrid
          bulkActionButtons={false}
          rowClick="expand"
          expand={<CreditNoteDetail />}
          empty={<Nothing>No credit notes in this period.</Nothing>}
        >
          <TextField source="reference" label="Credit note" />
          <TextField source="chargeReference" label="Against charge" />
          <FunctionField<StatementCreditNote>
            label="Credit"
            source="createdAt"
            sortable={false}
            render={(n) =>
              n.direction === 'to_us'
                ? `${n.counterparty.name} credits us ${formatMoneyAbsolute(n.gross.amountMinor, n.gross.currency)}`
                : `We credit ${n.counterparty.name} ${formatMoneyAbsolute(n.gross.amountMinor, n.gross.currency)}`
            }
          />
          <FunctionField<StatementCreditNote>
            label="Raised"
            source="createdAt"
            render={(n) => formatDate(n.createdAt)}
          />
        </Datagrid>
      </WideTable>
      <Pagination rowsPerPageOptions={[10, 25]} />
    </ListContextProvider>
  );
}

function CreditNoteDetail() {
  return (
    <FunctionField<StatementCreditNote>
      render={(n) => (
        <Box sx={{ py: 1 }}>
          <Typography variant="body2">Reason: {n.reason}</Typography>
          <Typography variant="body2">
            Net {formatMoney(n.net.amountMinor)}, VAT {formatMoney(n.vat.amountMinor)}, gross{' '}
            {formatMoney(n.gross.amountMinor)}
          </Typography>
        </Box>
      )}
    />
  );
}

/** The period's statement: the position in words per counterparty, credit notes, and the CSV and printable files. */
function StatementCard({ consortiumId, periods }: { consortiumId: string; periods: BillingPeriod[] }) {
  const [periodId, setPeriodId] = useState(periods[0]?.id ?? '');
  const [fileProblem, setFileProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const statement = useQuery({
    queryKey: ['finance', 'statement', consortiumId, periodId],
    enabled: periodId !== '',
    queryFn: ({ signal }) => fetchStatement(consortiumId, periodId, signal),
    retry: retryUnlessRefused,
  });

  async function download(format: 'csv' | 'html') {
    setFileProblem(null);
    setBusy(true);
    // The print window must open during the click, before the fetch, or the browser blocks it.
    const target = format === 'html' ? openPrintWindow() : null;
    try {
      const file = await fetchStatementFile(consortiumId, periodId, format);
      if (format === 'csv') saveBlob(file.blob, file.fileName);
      else if (target) showInWindow(target, file.blob);
      else saveBlob(file.blob, file.fileName);
    } catch (error) {
      target?.close();
      setFileProblem(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card>
      <CardContent>
        <Typography component="h2" variant="h6" gutterBottom>
          Statement
        </Typography>
        {periods.length === 0 ? (
          <Nothing>The consortium has no billing periods yet.</Nothing>
        ) : (
          <>
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} alignItems={{ sm: 'center' }}>
              <FormControl size="small" sx={{ minWidth: 280 }}>
                <InputLabel id="statement-period">Billing period</InputLabel>
                <Select
                  labelId="statement-period"
                  label="Billing period"
                  value={periodId}
                  onChange={(e) => setPeriodId(e.target.value)}
                >
                  {periods.map((p) => (
                    <MenuItem key={p.id} value={p.id}>
                      {p.label}
                      {p.status === 'open' ? ' (open)' : ''}
                    </MenuItem>
                  ))}
                </Select>
              </FormControl>
              <Button
                variant="outlined"
                disabled={busy || !statement.data}
                onClick={() => void download('csv')}
              >
                Download CSV
              </Button>
              <Button
                variant="outlined"
                disabled={busy || !statement.data}
                onClick={() => void download('html')}
              >
                Printable statement
              </Button>
            </Stack>
            {fileProblem ? (
              <Alert severity="error" role="alert" sx={{ mt: 2 }}>
                {messageFor(fileProblem)}
              </Alert>
            ) : null}
            {statement.error ? (
              <Problem error={statement.error} />
            ) : statement.data ? (
              <StatementBody statement={statement.data} />
            ) : (
              <Waiting what="the statement" />
            )}
          </>
        )}
      </CardContent>
    </Card>
  );
}

function StatementBody({ statement }: { statement: Statement }) {
  const counterparties = statement.counterparties;
  return (
    <Box sx={{ mt: 2 }}>
      <Typography variant="h6" component="p" data-testid="statement-summary">
        {statement.totals.summary}
      </Typography>
      <Typography variant="body2" color="text.secondary">
        {statement.billingPeriod.label},{' '}
        {formatDateRange(statement.billingPeriod.startDate, statement.billingPeriod.endDate)}:{' '}
        {statement.charges.length} charges, {statement.creditNotes.length} credit notes.
      </Typography>
      <Typography component="h3" variant="subtitle1" sx={{ mt: 2 }}>
        With each member
      </Typography>
      {counterparties.length === 0 ? (
        <Nothing>Nothing was charged to or from your organisation in this period.</Nothing>
      ) : (
        <Box component="ul" sx={{ pl: 3, my: 1 }}>
          {counterparties.map((c) => (
            <li key={c.counterparty.id}>
              <Typography variant="body2">{c.summary}</Typography>
            </li>
          ))}
        </Box>
      )}
      <Typography component="h3" variant="subtitle1" sx={{ mt: 2 }}>
        Credit notes
      </Typography>
      <CreditNotes notes={statement.creditNotes} />
    </Box>
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
        {seesLedger && <EntriesCard consortiumId={consortiumId} periods={periods} />}
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
