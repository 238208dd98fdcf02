import { Box, Button, Card, CardContent, Stack, Typography } from '@mui/material';
import { type MouseEvent, useState } from 'react';
import { Link, useNotify, useRefresh } from 'react-admin';
import { api } from '../api/client';
import { ApiProblem, unwrap } from '../api/problem';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { sendOnce } from './idempotency';
import { goToChargeRuns } from './charge-runs-section';
import type { BillingPeriod } from './resources';
import { type CloseBlockers, closeBlockers, closeRefusalText, closeSteps } from './words';

/** Rows of what is not completely charged said in the dialog; the reconciliation has them all. */
const DIFFERENCES_SHOWN = 5;

/** The API's refusal while something is unbilled, draft or disputed: an administrator may still close, saying why. */
function blockersOf(error: unknown) {
  return error instanceof ApiProblem ? closeBlockers(error.body) : null;
}

/**
 * What stops the close, beyond the sentence above it: the first rows not completely charged, in words, and a link
 * to each thing to look at or do, in the order to do it. Following the charge runs closes the dialog and goes to
 * them on this page; the others open their own screens.
 */
function CloseRefusal({ blockers, onChargeRuns }: { blockers: CloseBlockers; onChargeRuns: () => void }) {
  const steps = closeSteps(blockers);
  const shown = blockers.differences.slice(0, DIFFERENCES_SHOWN);
  const more = blockers.unbilled.differences - shown.length;
  return (
    <Stack spacing={1} data-testid="close-refusal">
      {shown.length > 0 ? (
        <Box>
          <Typography variant="body2">Not completely charged:</Typography>
          <Box component="ul" sx={{ my: 0.5, pl: 3 }}>
            {shown.map((row, index) => (
              <Typography component="li" variant="body2" key={index}>
                {row.providerName} to {row.consumerName}, {row.serviceTitle}: {row.explanation}
              </Typography>
            ))}
          </Box>
          {more > 0 ? (
            <Typography variant="body2">
              and {more.toLocaleString('en-GB')} more, listed in the reconciliation.
            </Typography>
          ) : null}
        </Box>
      ) : null}
      {steps.length > 0 ? (
        <Box component="nav" aria-label="What to do before closing">
          <Typography variant="body2">Before closing:</Typography>
          <Box component="ul" sx={{ my: 0.5, pl: 3 }}>
            {steps.map((step) => (
              <Typography component="li" variant="body2" key={step.kind}>
                <Link
                  to={step.to}
                  onClick={
                    step.kind === 'chargeRuns'
                      ? (event: MouseEvent) => {
                          // The charge runs are on this page, above: close the dialog and go to them.
                          event.preventDefault();
                          onChargeRuns();
                        }
                      : undefined
                  }
                >
                  {step.text}
                </Link>
              </Typography>
            ))}
          </Box>
        </Box>
      ) : null}
      <Typography variant="body2">
        To close now regardless, say why below: what is left unbilled, draft or undecided stays as it is, and
        is recorded with the period.
      </Typography>
    </Stack>
  );
}

/** The Material transition of a closing dialog, after which it has handed the keyboard back to its button. */
const DIALOG_EXIT_MS = 300;

/** Closing an open period, after a confirmation that says what closing does. */
export function ClosePeriod({ period }: { period: BillingPeriod }) {
  const [open, setOpen] = useState(false);
  const [override, setOverride] = useState(false);
  // A new dialog each time it opens, so a refusal seen before is not shown again.
  const [opening, setOpening] = useState(0);
  const notify = useNotify();
  const refresh = useRefresh();
  if (period.status !== 'open') return null;

  const dismiss = () => {
    setOpen(false);
    setOverride(false);
  };

  return (
    <Card component="section" aria-labelledby="close-period-heading">
      <CardContent>
        <Typography id="close-period-heading" component="h2" variant="h6" gutterBottom>
          Close the period
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          When everything in force and reported is charged, every charge issued and every dispute decided,
          close {period.label} to fix what each member owes or is owed and to work out who pays whom.
        </Typography>
        <Button
          variant="contained"
          onClick={() => {
            setOpening((n) => n + 1);
            setOpen(true);
          }}
        >
          Close {period.label}
        </Button>
        <ConfirmDialog
          key={opening}
          open={open}
          title={`Close ${period.label}?`}
          confirmLabel={override ? 'Close anyway' : 'Close the period'}
          fields={
            override
              ? [
                  {
                    name: 'overrideReason',
                    label: 'Why close anyway',
                    required: true,
                    helperText: 'Kept on the period and in the audit trail, for every member to see',
                  },
                ]
              : []
          }
          onClose={dismiss}
          onConfirm={async ({ overrideReason }) => {
            try {
              await sendOnce(async (key) =>
                unwrap(
                  await api.POST('/api/v1/billing-periods/{id}/close', {
                    params: { path: { id: period.id }, header: { 'Idempotency-Key': key } },
                    body: overrideReason ? { overrideReason } : {},
                  }),
                ),
              );
            } catch (error) {
              if (blockersOf(error)) setOverride(true);
              throw error;
            }
            notify(`${period.label} is closed: the settlement plan is ready`, { type: 'success' });
            refresh();
          }}
          describeError={(error) => {
            const blockers = blockersOf(error);
            return blockers ? closeRefusalText(period.label, blockers) : undefined;
          }}
          afterError={(error) => {
            const blockers = blockersOf(error);
            return blockers ? (
              <CloseRefusal
                blockers={blockers}
                onChargeRuns={() => {
                  dismiss();
                  window.setTimeout(goToChargeRuns, DIALOG_EXIT_MS);
                }}
              />
            ) : null;
          }}
        >
          <Typography variant="body2" component="span" display="block" gutterBottom>
            Closing is final. It:
          </Typography>
          <ul style={{ marginTop: 0 }}>
            <li>
              fixes each member&apos;s net position from the charges and credit notes issued in the period;
            </li>
            <li>works out a settlement plan with the fewest payments between members;</li>
            <li>tells every member what it has to pay or will receive;</li>
            <li>
              stops anything else being charged in the period; only settlement payments are recorded in it.
            </li>
          </ul>
        </ConfirmDialog>
      </CardContent>
    </Card>
  );
}
