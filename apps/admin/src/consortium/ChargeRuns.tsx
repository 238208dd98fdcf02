import { Alert, AlertTitle, Box, Button, Card, CardContent, LinearProgress, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import {
  Datagrid,
  FunctionField,
  Pagination,
  ReferenceManyField,
  TextField,
  useGetList,
  useNotify,
  useRefresh,
} from 'react-admin';
import { api } from '../api/client';
import { messageFor, unwrap } from '../api/problem';
import { formatDateTime } from '../format/date';
import { sendOnce } from './idempotency';
import { ScrollX } from './ScrollX';
import { type BillingPeriod, type ChargeRun, RESOURCES } from './resources';
import { isRunInProgress, needsAttentionHeading, runProgress } from './words';

/** How often a running charge run is asked how far it has got. */
const POLL_MS = 1_000;

/** The subscriptions a run could not charge, each with its reason; the run charged everyone else. */
function NeedsAttention({ items }: { items: ChargeRun['needsAttention'] }) {
  return (
    <Alert severity="warning" sx={{ mt: 2 }} data-testid="charge-run-needs-attention">
      <AlertTitle component="h3">{needsAttentionHeading(items.length)}</AlertTitle>
      <Typography variant="body2" sx={{ mb: 1 }}>
        The run charged every other subscription. These were left out until what is wrong is put right; the
        providers&apos; finance teams have been told.
      </Typography>
      <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
        {items.map((item) => (
          <li key={item.subscriptionId}>
            <Typography variant="body2" component="span">
              <strong>
                {item.providerName}&apos;s {item.serviceTitle}
              </strong>{' '}
              for {item.consumerName}: {item.reason}
            </Typography>
          </li>
        ))}
      </Box>
    </Alert>
  );
}

/**
 * Follows one run until it ends. `startedHere` says this screen has just started it: a run that finishes before
 * its first poll is then still announced and the screen refreshed (the runs list read it as queued).
 */
function RunProgress({ runId, startedHere }: { runId: string; startedHere: boolean }) {
  const notify = useNotify();
  const refresh = useRefresh();
  const run = useQuery({
    queryKey: ['charge-run-progress', runId],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/v1/charge-runs/{id}', { params: { path: { id: runId } }, signal })),
    refetchInterval: (query) => (query.state.data && !isRunInProgress(query.state.data) ? false : POLL_MS),
  });
  const wasRunning = useRef(startedHere);
  const [resuming, setResuming] = useState(false);
  const [resumeError, setResumeError] = useState<unknown>(null);
  const status = run.data?.status;
  useEffect(() => {
    if (!status) return;
    if (isRunInProgress({ status })) {
      wasRunning.current = true;
    } else if (wasRunning.current) {
      // The run has just finished: the list of runs and the provisional settlement are out of date.
      wasRunning.current = false;
      notify(status === 'completed' ? 'The charge run has finished' : 'The charge run failed', {
        type: status === 'completed' ? 'success' : 'error',
      });
      refresh();
    }
  }, [status, notify, refresh]);

  // Takes an interrupted run over now, rather than waiting for an instance to do it on its own.
  const resume = async () => {
    setResuming(true);
    setResumeError(null);
    try {
      await sendOnce(async (key) =>
        unwrap(
          await api.POST('/api/v1/charge-runs/{id}/resume', {
            params: { path: { id: runId }, header: { 'Idempotency-Key': key } },
          }),
        ),
      );
      notify('The charge run is resuming', { type: 'info' });
    } catch (caught) {
      // Often an instance got there first (409): the refreshed run says so.
      setResumeError(caught);
    } finally {
      setResuming(false);
      await run.refetch();
    }
  };

  if (run.error) {
    return (
      <Alert severity="error" role="alert">
        {messageFor(run.error)}
      </Alert>
    );
  }
  if (!run.data) return <LinearProgress aria-label="Loading the charge run" />;
  const progress = runProgress(run.data);
  return (
    <Box data-testid="charge-run-progress" sx={{ my: 2 }}>
      <Typography variant="subtitle2" component="p" data-testid="charge-run-status">
        Latest run: {run.data.statusText}
      </Typography>
      <LinearProgress
        variant={run.data.status === 'queued' ? 'indeterminate' : 'determinate'}
        value={progress.percent}
        color={
          run.data.status === 'failed'
            ? 'error'
            : run.data.interrupted || run.data.needsAttention.length > 0
              ? 'warning'
              : run.data.status === 'completed'
                ? 'success'
                : 'primary'
        }
        aria-label="Charge run progress"
        aria-valuetext={progress.text}
        sx={{ height: 10, borderRadius: 5, my: 1 }}
      />
      <Typography variant="body2" data-testid="charge-run-progress-text" aria-live="polite">
        {progress.text}
      </Typography>
      {run.data.interrupted ? (
        <Alert
          severity="warning"
          sx={{ mt: 1 }}
          action={
            <Button color="inherit" size="small" onClick={resume} disabled={resuming}>
              {resuming ? 'Resuming…' : 'Resume'}
            </Button>
          }
        >
          Its worker stopped. Another instance takes the run over on its own within a minute; Resume takes it
          over now.
        </Alert>
      ) : null}
      {resumeError ? (
        <Alert severity="error" role="alert" sx={{ mt: 1 }}>
          {messageFor(resumeError)}
        </Alert>
      ) : null}
      {run.data.needsAttention.length > 0 ? <NeedsAttention items={run.data.needsAttention} /> : null}
    </Box>
  );
}

/** A period's charge runs: start one (open periods), follow it to the end, and the runs so far. */
export function ChargeRuns({ period }: { period: BillingPeriod }) {
  const [startedId, setStartedId] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const notify = useNotify();
  const refresh = useRefresh();
  const latest = useGetList<ChargeRun>(RESOURCES.runs, {
    filter: { billingPeriodId: period.id },
    pagination: { page: 1, perPage: 1 },
    sort: { field: 'createdAt', order: 'DESC' },
  });
  const followed = startedId ?? latest.data?.[0]?.id;
  // Another run may not start while one is queued or running (the API says 409 too).
  const busy = starting || Boolean(latest.data?.[0] && isRunInProgress(latest.data[0]));

  const start = async () => {
    setStarting(true);
    setError(null);
    try {
      const run = await sendOnce(async (key) =>
        unwrap(
          await api.POST('/api/v1/billing-periods/{id}/charge-runs', {
            params: { path: { id: period.id }, header: { 'Idempotency-Key': key } },
          }),
        ),
      );
      setStartedId(run.id);
      notify(`Charge run started for ${period.label}`, { type: 'info' });
      refresh();
    } catch (caught) {
      setError(caught);
    } finally {
      setStarting(false);
    }
  };

  return (
    <Card component="section" aria-labelledby="charge-runs-heading">
      <CardContent>
        <Typography id="charge-runs-heading" component="h2" variant="h6" gutterBottom>
          Charge runs
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          A charge run works out every subscription&apos;s draft cross-charge for the period from its price
          and usage. Running again is safe: it recomputes the drafts from everything reported so far, never
          changes issued charges, and puts what came after an issue on a supplementary charge. Each
          provider&apos;s finance team then issues its drafts.
        </Typography>
        {period.status === 'open' ? (
          <Button variant="contained" onClick={start} disabled={busy}>
            {starting ? 'Starting…' : 'Run charges'}
          </Button>
        ) : null}
        {error ? (
          <Alert severity="error" role="alert" sx={{ mt: 2 }}>
            {messageFor(error)}
          </Alert>
        ) : null}
        {followed ? (
          <RunProgress key={followed} runId={followed} startedHere={followed === startedId} />
        ) : null}
        {/* A narrow screen scrolls the table, not the page. */}
        <ScrollX>
          <ReferenceManyField
            reference={RESOURCES.runs}
            target="billingPeriodId"
            record={period}
            sort={{ field: 'createdAt', order: 'DESC' }}
            perPage={5}
            pagination={<Pagination rowsPerPageOptions={[5, 10, 25]} />}
            empty={
              <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }}>
                No charge run yet for this period.
              </Typography>
            }
          >
            <Datagrid bulkActionButtons={false} rowClick={false}>
              <FunctionField
                label="Started"
                source="createdAt"
                render={(run: ChargeRun) => formatDateTime(run.createdAt)}
              />
              <FunctionField label="Status" sortable={false} render={(run: ChargeRun) => run.statusText} />
              <FunctionField
                label="Subscriptions"
                sortable={false}
                render={(run: ChargeRun) => `${run.processedSubscriptions} of ${run.totalSubscriptions}`}
              />
              <FunctionField
                label="Cross-charges (lines)"
                sortable={false}
                render={(run: ChargeRun) =>
                  run.status === 'completed' ? `${run.crossCharges} (${run.chargeLines})` : '—'
                }
              />
              <TextField source="requestedBy" label="Started by" sortable={false} />
              <FunctionField
                label="Finished"
                sortable={false}
                render={(run: ChargeRun) => formatDateTime(run.finishedAt)}
              />
            </Datagrid>
          </ReferenceManyField>
        </ScrollX>
      </CardContent>
    </Card>
  );
}
