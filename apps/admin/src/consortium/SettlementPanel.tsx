import {
  Alert,
  Button,
  Card,
  CardContent,
  Chip,
  Grid,
  List,
  ListItem,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Loading, useNotify, useRefresh } from 'react-admin';
import { api } from '../api/client';
import { messageFor, unwrap } from '../api/problem';
import type { components } from '../api/schema';
import { formatDateTime } from '../format/date';
import { formatMoneyAbsolute, netPositionPhrase } from '../format/money';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { sendOnce } from './idempotency';
import type { BillingPeriod } from './resources';
import { ScrollX } from './ScrollX';
import { SettlementPicture } from './SettlementPicture';
import { paysPhrase, SETTLEMENT_STATUS_LABELS } from './words';

type Settlement = components['schemas']['SettlementDto'];
type SettlementPayment = components['schemas']['SettlementPaymentDto'];

function RecordPayment({ payment }: { payment: SettlementPayment }) {
  const [open, setOpen] = useState(false);
  const notify = useNotify();
  const refresh = useRefresh();
  const phrase = paysPhrase(payment.payerName, payment.payeeName, payment.amountMinor);
  return (
    <>
      <Button
        size="small"
        variant="outlined"
        onClick={() => setOpen(true)}
        aria-label={`Record payment: ${phrase}`}
      >
        Record payment
      </Button>
      <ConfirmDialog
        open={open}
        title="Record a settlement payment"
        confirmLabel="Record payment"
        fields={[
          {
            name: 'paymentReference',
            label: 'Payment reference',
            required: true,
            helperText: "The payer's remittance reference (e.g. the BACS reference), for both finance teams",
            validate: (value) => (value.length > 200 ? 'At most 200 characters.' : undefined),
          },
        ]}
        onClose={() => setOpen(false)}
        onConfirm={async ({ paymentReference }) => {
          await sendOnce(async (key) =>
            unwrap(
              await api.POST('/api/v1/settlement-payments/{id}/record', {
                params: { path: { id: payment.id as string }, header: { 'Idempotency-Key': key } },
                body: { paymentReference },
              }),
            ),
          );
          notify(`Recorded: ${phrase}`, { type: 'success' });
          refresh();
        }}
      >
        {phrase}. Recording it posts the payment to both members&apos; ledgers; when every payment is recorded
        the period is settled.
      </ConfirmDialog>
    </>
  );
}

function PaymentItem({ payment, recordable }: { payment: SettlementPayment; recordable: boolean }) {
  return (
    <ListItem disableGutters sx={{ display: 'flex', flexWrap: 'wrap', gap: 1, alignItems: 'center' }}>
      <Typography component="span" sx={{ flex: '1 1 16rem' }}>
        {paysPhrase(payment.payerName, payment.payeeName, payment.amountMinor)}
      </Typography>
      {payment.status === 'recorded' ? (
        <Chip
          size="small"
          color="success"
          label={`Recorded ${formatDateTime(payment.recordedAt)}${payment.paymentReference ? `, ref. ${payment.paymentReference}` : ''}`}
        />
      ) : recordable && payment.id ? (
        <RecordPayment payment={payment} />
      ) : (
        <Chip size="small" label={payment.id ? 'Awaiting payment' : 'Provisional'} />
      )}
    </ListItem>
  );
}

function SettlementBody({ settlement }: { settlement: Settlement }) {
  const recordable = settlement.periodStatus === 'closed';
  const payments = [...settlement.payments].sort((a, b) => a.position - b.position);
  const summary =
    payments.length === 0
      ? 'Settlement plan: no payments are needed.'
      : `Settlement plan: ${payments.map((p) => paysPhrase(p.payerName, p.payeeName, p.amountMinor)).join('; ')}.`;
  return (
    <>
      <Alert severity={settlement.status === 'settled' ? 'success' : 'info'} sx={{ mb: 2 }}>
        {SETTLEMENT_STATUS_LABELS[settlement.status]}
        {settlement.closeOverrideReason
          ? ` Closed despite open items: ${settlement.closeOverrideReason}`
          : ''}
      </Alert>
      <Grid container spacing={3}>
        <Grid size={{ xs: 12, md: 7 }}>
          <Typography component="h3" variant="subtitle1" gutterBottom>
            Who pays whom
          </Typography>
          {payments.length === 0 ? (
            <Typography variant="body2" color="text.secondary">
              Nobody has anything to pay: every member is square for this period.
            </Typography>
          ) : (
            <>
              <SettlementPicture members={settlement.positions} payments={payments} summary={summary} />
              <List dense data-testid="settlement-payments">
                {payments.map((payment) => (
                  <PaymentItem
                    key={payment.id ?? `${payment.payerOrganisationId}-${payment.payeeOrganisationId}`}
                    payment={payment}
                    recordable={recordable}
                  />
                ))}
              </List>
            </>
          )}
        </Grid>
        <Grid size={{ xs: 12, md: 5 }}>
          <Typography component="h3" variant="subtitle1" gutterBottom>
            Net positions
          </Typography>
          {settlement.positions.length === 0 ? (
            <Typography variant="body2" color="text.secondary">
              No member has a position in this period.
            </Typography>
          ) : (
            <ScrollX>
              <Table size="small" aria-label="Net positions" data-testid="net-positions">
                <TableHead>
                  <TableRow>
                    <TableCell>Member</TableCell>
                    <TableCell>In words</TableCell>
                    <TableCell align="right">Amount</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {settlement.positions.map((position) => (
                    <TableRow key={position.organisationId}>
                      <TableCell>{position.organisationName}</TableCell>
                      <TableCell>{netPositionPhrase(position.organisationName, position.netMinor)}</TableCell>
                      <TableCell align="right">
                        {BigInt(position.netMinor) === 0n
                          ? '£0.00'
                          : `${formatMoneyAbsolute(position.netMinor)} ${BigInt(position.netMinor) > 0n ? 'owed' : 'owes'}`}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </ScrollX>
          )}
        </Grid>
      </Grid>
    </>
  );
}

/** The period's net positions and settlement plan (provisional while open), with payments to record once closed. */
export function SettlementPanel({ period }: { period: BillingPeriod }) {
  const settlement = useQuery({
    queryKey: ['consortium-settlement', period.id, period.status],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/billing-periods/{id}/settlement', {
          params: { path: { id: period.id } },
          signal,
        }),
      ),
  });
  return (
    <Card component="section" aria-labelledby="settlement-heading">
      <CardContent>
        <Typography id="settlement-heading" component="h2" variant="h6" gutterBottom>
          Settlement plan
        </Typography>
        {settlement.isPending ? (
          <Loading loadingPrimary="Loading the settlement" loadingSecondary="" />
        ) : settlement.error ? (
          <Alert severity="error" role="alert">
            {messageFor(settlement.error)}
          </Alert>
        ) : (
          <SettlementBody settlement={settlement.data} />
        )}
      </CardContent>
    </Card>
  );
}
