import { Box, Button, Card, CardContent, Stack, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { Link, Title, usePermissions } from 'react-admin';
import { useParams } from 'react-router-dom';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { periodPath } from '../consortium/words';
import { Problem, Waiting } from '../finance/FinanceStates';
import { retryUnlessRefused } from '../finance/useConsortia';
import { formatDateRange } from '../format/date';
import { hasRole, isConsortiumAdmin, type Permissions } from '../roles';
import { ReconciliationPanel } from './ReconciliationPanel';

/** The cross-charges list filtered to one period, as a finance team reviews it. */
export function periodChargesPath(billingPeriodId: string): string {
  return `/cross-charges?filter=${encodeURIComponent(JSON.stringify({ billingPeriodId }))}`;
}

/**
 * A billing period's reconciliation on a page of its own: where a provider's finance team arrives from its charges
 * for the period, and where a refused close points the consortium administrators. Administrators are offered the
 * period's page to run charges; finance teams their charges for the period.
 */
export function ReconciliationPage() {
  const { id = '' } = useParams<{ id: string }>();
  const { permissions } = usePermissions<Permissions>();
  const period = useQuery({
    queryKey: ['billing-period', id],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/v1/billing-periods/{id}', { params: { path: { id } }, signal })),
    retry: retryUnlessRefused,
  });
  if (period.error) return <Problem error={period.error} />;
  if (!period.data) return <Waiting what="the billing period" />;

  const administers = isConsortiumAdmin(permissions);
  const open = period.data.status === 'open';
  return (
    <Box sx={{ my: 2 }}>
      <Title title={`Reconciliation of ${period.data.label}`} />
      <Stack spacing={2}>
        <Card>
          <CardContent>
            <Typography component="h1" variant="h5" gutterBottom>
              Reconciliation of {period.data.label}
            </Typography>
            <Typography variant="body2" gutterBottom>
              {formatDateRange(period.data.startDate, period.data.endDate)}
              {open ? ', open' : ', closed'}
            </Typography>
            <Stack direction="row" spacing={2} useFlexGap flexWrap="wrap" sx={{ mt: 1 }}>
              {administers ? (
                <Link to={periodPath(id)}>The period’s charge runs, close and settlement</Link>
              ) : null}
              {hasRole(permissions, 'finance', 'org_admin') ? (
                <Link to={periodChargesPath(id)}>Your cross-charges in {period.data.label}</Link>
              ) : null}
            </Stack>
          </CardContent>
        </Card>
        <ReconciliationPanel
          billingPeriodId={id}
          title="Is everything charged?"
          runCharges={
            administers && open ? (
              <Button component={Link} to={periodPath(id)} variant="contained" size="small">
                Run charges on the period’s page
              </Button>
            ) : undefined
          }
        />
      </Stack>
    </Box>
  );
}
