import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  Stack,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from '@mui/material';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Datagrid, FunctionField, ListContextProvider, Pagination, TextField, useList } from 'react-admin';
import { api } from '../api/client';
import { ApiProblem, messageFor, unwrap } from '../api/problem';
import { Nothing, WideTable } from '../finance/FinanceStates';
import { retryUnlessRefused } from '../finance/useConsortia';
import { periodName } from '../format/period';
import { NotAllowedPage } from '../layout/NotAllowed';
import {
  chargedText,
  emptyRowsText,
  expectedText,
  measureLabel,
  type Reconciliation,
  RECONCILIATION_STATE_TITLES,
  reconciliationState,
  type ReconciliationRow,
  rowExplanation,
  summaryFigures,
} from './words';

type Show = 'differences' | 'all';
type Row = ReconciliationRow & { id: string };

/** While a charge run recomputes the drafts, the answer is asked for again this often. */
const WHILE_RUNNING_MS = 5_000;

const SEVERITY = { complete: 'success', running: 'info', incomplete: 'warning' } as const;

function Rows({ rows, show, period }: { rows: Row[]; show: Show; period: string }) {
  const list = useList<Row>({ data: rows, perPage: 25, sort: { field: 'providerName', order: 'ASC' } });
  if (rows.length === 0) return <Nothing>{emptyRowsText(show, period)}</Nothing>;
  return (
    <ListContextProvider value={list}>
      <WideTable label={`Reconciliation of ${period}`}>
        <Datagrid bulkActionButtons={false} rowClick={false} data-testid="reconciliation-rows">
          <TextField source="providerName" label="Provider" />
          <TextField source="consumerName" label="Consumer" />
          <TextField source="serviceTitle" label="Service" />
          <FunctionField<Row> label="Measure" sortable={false} render={(row) => measureLabel(row)} />
          <FunctionField<Row> label="Expected" sortable={false} render={(row) => expectedText(row)} />
          <FunctionField<Row> label="Charged" sortable={false} render={(row) => chargedText(row)} />
          <FunctionField<Row>
            label="State"
            source="agrees"
            render={(row) =>
              row.agrees ? (
                <Chip size="small" color="success" label="Agrees" />
              ) : (
                <Chip size="small" color="error" label="Differs" />
              )
            }
          />
          <FunctionField<Row>
            label="In words"
            sortable={false}
            render={(row) => <Box sx={{ minWidth: '18rem' }}>{rowExplanation(row)}</Box>}
          />
        </Datagrid>
      </WideTable>
      {rows.length > 10 ? <Pagination rowsPerPageOptions={[10, 25, 50, 100]} /> : null}
    </ListContextProvider>
  );
}

function Answer({
  reconciliation,
  show,
  onShow,
  runCharges,
}: {
  reconciliation: Reconciliation;
  show: Show;
  onShow: (show: Show) => void;
  runCharges?: ReactNode;
}) {
  const state = reconciliationState(reconciliation);
  const period = periodName(reconciliation.periodKey);
  const figures = summaryFigures(reconciliation.summary);
  const rows = reconciliation.rows.map((row) => ({
    ...row,
    id: `${row.subscriptionId}:${row.measure}:${row.metric ?? ''}`,
  }));
  return (
    <Stack spacing={2}>
      <Alert severity={SEVERITY[state]} data-testid="reconciliation-summary" aria-live="polite">
        <AlertTitle>{RECONCILIATION_STATE_TITLES[state]}</AlertTitle>
        {reconciliation.summaryText}
      </Alert>
      {figures.length > 0 ? (
        <Stack direction="row" spacing={4} useFlexGap flexWrap="wrap" component="dl" sx={{ m: 0 }}>
          {figures.map((figure) => (
            <Box key={figure.label}>
              <Typography component="dt" variant="caption" color="text.secondary">
                {figure.label}
              </Typography>
              <Typography component="dd" variant="h6" sx={{ m: 0 }}>
                {figure.value}
              </Typography>
            </Box>
          ))}
        </Stack>
      ) : null}
      <Stack direction="row" spacing={2} useFlexGap flexWrap="wrap" alignItems="center">
        <ToggleButtonGroup
          size="small"
          exclusive
          value={show}
          onChange={(_, value: Show | null) => value && onShow(value)}
          aria-label="Rows to show"
        >
          <ToggleButton value="differences">Differences only</ToggleButton>
          <ToggleButton value="all">Every row</ToggleButton>
        </ToggleButtonGroup>
        {state === 'incomplete' ? runCharges : null}
      </Stack>
      <Rows rows={rows} show={show} period={period} />
    </Stack>
  );
}

/**
 * A billing period's reconciliation: whether every day a subscription was in force and every usage report accepted
 * is on exactly one of the period's charges (draft, issued or supplementary), as a summary in words and the rows
 * that differ (or every row). `runCharges` is offered while something is not charged (a consortium administrator's
 * way to the charge runs); the API decides who sees which subscriptions.
 */
export function ReconciliationPanel({
  billingPeriodId,
  runCharges,
  title = 'Reconciliation: is everything charged?',
}: {
  billingPeriodId: string;
  runCharges?: ReactNode;
  title?: string;
}) {
  const [show, setShow] = useState<Show>('differences');
  const reconciliation = useQuery({
    queryKey: ['reconciliation', billingPeriodId, show],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/billing-periods/{id}/reconciliation', {
          params: { path: { id: billingPeriodId }, query: { show } },
          signal,
        }),
      ),
    retry: retryUnlessRefused,
    // Switching between differences and every row keeps the answer on screen until the other arrives.
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.chargeRunInProgress ? WHILE_RUNNING_MS : false),
  });

  let body: ReactNode;
  if (reconciliation.error) {
    body =
      reconciliation.error instanceof ApiProblem && reconciliation.error.status === 403 ? (
        <NotAllowedPage reason={messageFor(reconciliation.error)} />
      ) : (
        <Alert
          severity="error"
          role="alert"
          action={
            <Button color="inherit" size="small" onClick={() => void reconciliation.refetch()}>
              Try again
            </Button>
          }
        >
          {messageFor(reconciliation.error)}
        </Alert>
      );
  } else if (!reconciliation.data) {
    body = (
      <Typography variant="body2" color="text.secondary" role="status">
        Checking every subscription of the period against its charges…
      </Typography>
    );
  } else {
    body = (
      <Answer reconciliation={reconciliation.data} show={show} onShow={setShow} runCharges={runCharges} />
    );
  }

  return (
    <Card component="section" aria-labelledby={`reconciliation-heading-${billingPeriodId}`}>
      <CardContent>
        <Typography id={`reconciliation-heading-${billingPeriodId}`} component="h2" variant="h6" gutterBottom>
          {title}
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          Every day each subscription was in force and every usage report accepted, against what the
          period&apos;s draft, issued and supplementary charges charge: each must be on exactly one charge.
        </Typography>
        {body}
      </CardContent>
    </Card>
  );
}
