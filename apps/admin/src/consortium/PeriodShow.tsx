import { Alert, Button, Card, CardContent, Stack, Typography } from '@mui/material';
import { Show, useRecordContext } from 'react-admin';
import { formatDate, formatDateRange } from '../format/date';
import { ReconciliationPanel } from '../reconciliation/ReconciliationPanel';
import { ChargeRuns } from './ChargeRuns';
import { goToChargeRuns } from './charge-runs-section';
import { ClosePeriod } from './ClosePeriod';
import { PeriodStatusChip } from './PeriodsList';
import type { BillingPeriod } from './resources';
import { SettlementPanel } from './SettlementPanel';

function PeriodTitle() {
  const period = useRecordContext<BillingPeriod>();
  return <>{period ? period.label : 'Billing period'}</>;
}

function PeriodPage() {
  const period = useRecordContext<BillingPeriod>();
  if (!period) return null;
  return (
    <Stack spacing={2} sx={{ mt: 1 }}>
      <Card>
        <CardContent>
          <Typography component="h1" variant="h5" gutterBottom>
            {period.label}
          </Typography>
          <Stack direction="row" spacing={2} useFlexGap flexWrap="wrap" alignItems="center">
            <PeriodStatusChip period={period} />
            <Typography variant="body2">{formatDateRange(period.startDate, period.endDate)}</Typography>
            {period.closedAt ? (
              <Typography variant="body2">Closed {formatDate(period.closedAt)}</Typography>
            ) : null}
            {period.settledAt ? (
              <Typography variant="body2">Settled {formatDate(period.settledAt)}</Typography>
            ) : null}
          </Stack>
          {period.closeOverrideReason ? (
            <Alert severity="warning" sx={{ mt: 2 }}>
              Closed with open items because: {period.closeOverrideReason}
            </Alert>
          ) : null}
        </CardContent>
      </Card>
      <ChargeRuns period={period} />
      <ReconciliationPanel
        billingPeriodId={period.id}
        runCharges={
          period.status === 'open' ? (
            <Button variant="contained" size="small" onClick={goToChargeRuns}>
              Go to Run charges
            </Button>
          ) : undefined
        }
      />
      <ClosePeriod period={period} />
      <SettlementPanel period={period} />
    </Stack>
  );
}

/** One billing period: its charge runs, whether it is completely charged, closing it, and its settlement plan. */
export function PeriodShow() {
  return (
    <Show title={<PeriodTitle />} actions={false} component="div">
      <PeriodPage />
    </Show>
  );
}
