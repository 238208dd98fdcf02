import {
  Alert,
  Box,
  Button,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  Stack,
  Typography,
} from '@mui/material';
import { Card, CardContent } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Datagrid, FunctionField, ListContextProvider, Pagination, TextField, useList } from 'react-admin';
import { messageFor } from '../api/problem';
import { formatDate, formatDateRange } from '../format/date';
import { formatMoney, formatMoneyAbsolute } from '../format/money';
import { type BillingPeriod, fetchStatement, fetchStatementFile, type Statement } from './finance-api';
import { Nothing, Problem, Waiting, WideTable } from './FinanceStates';
import { openPrintWindow, saveBlob, showInWindow } from './files';
import { retryUnlessRefused } from './useConsortia';

type StatementCreditNote = Statement['creditNotes'][number];

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

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
export function StatementCard({ consortiumId, periods }: { consortiumId: string; periods: BillingPeriod[] }) {
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
        {count(statement.charges.length, 'charge')}, {count(statement.creditNotes.length, 'credit note')}.
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
