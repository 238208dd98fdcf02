import { Button, Card, CardContent, Typography } from '@mui/material';
import { useState } from 'react';
import { useNotify, useRefresh } from 'react-admin';
import { api } from '../api/client';
import { ApiProblem, unwrap } from '../api/problem';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { sendOnce } from './idempotency';
import type { BillingPeriod } from './resources';
import { closeBlockers, closeRefusalText } from './words';

/** The API's refusal while charges are draft or disputes unresolved: an administrator may still close, saying why. */
function blockersOf(error: unknown) {
  return error instanceof ApiProblem ? closeBlockers(error.body) : null;
}

/** Closing an open period, after a confirmation that says what closing does. */
export function ClosePeriod({ period }: { period: BillingPeriod }) {
  const [open, setOpen] = useState(false);
  const [override, setOverride] = useState(false);
  const notify = useNotify();
  const refresh = useRefresh();
  if (period.status !== 'open') return null;

  return (
    <Card component="section" aria-labelledby="close-period-heading">
      <CardContent>
        <Typography id="close-period-heading" component="h2" variant="h6" gutterBottom>
          Close the period
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          When every charge is issued and every dispute decided, close {period.label} to fix what each member
          owes or is owed and to work out who pays whom.
        </Typography>
        <Button variant="contained" onClick={() => setOpen(true)}>
          Close {period.label}
        </Button>
        <ConfirmDialog
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
          onClose={() => {
            setOpen(false);
            setOverride(false);
          }}
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
          afterError={(error) =>
            blockersOf(error) ? (
              <Typography variant="body2">
                Decide the disputes (Escalated disputes) or ask the providers to issue their drafts first. To
                close now regardless, say why below: what has not been resolved stays as it is.
              </Typography>
            ) : null
          }
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
