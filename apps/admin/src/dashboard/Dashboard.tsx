import {
  Alert,
  Box,
  Card,
  CardContent,
  Chip,
  CircularProgress,
  Grid,
  List,
  ListItem,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { type ReactNode, useState } from 'react';
import { Link, Loading, Title, usePermissions } from 'react-admin';
import { messageFor } from '../api/problem';
import { SERVICE_STATUS_LABELS } from '../catalogue/labels';
import { formatDateRange } from '../format/date';
import { formatMoney } from '../format/money';
import { hasRole, isConsortiumAdmin, NO_PERMISSIONS, type Permissions, roleLabels } from '../roles';
import { useOurServices, usePeriodCharges, useSavings, useWhoAmI } from './load';
import { SavingsChart } from './SavingsChart';
import { countText, savingsSentence, savingsSeries, summariseCharges } from './summary';

/** A dashboard card with its own loading and error states, so one failing part never blanks the rest. */
function Section({
  title,
  pending,
  error,
  children,
}: {
  title: string;
  pending?: boolean;
  error?: unknown;
  children?: ReactNode;
}) {
  const id = `dashboard-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <Card component="section" aria-labelledby={id} sx={{ height: '100%' }}>
      <CardContent>
        <Typography id={id} component="h2" variant="h6" gutterBottom>
          {title}
        </Typography>
        {pending ? (
          <Stack direction="row" spacing={1} alignItems="center" role="status">
            <CircularProgress size={18} aria-hidden />
            <Typography variant="body2">Loading…</Typography>
          </Stack>
        ) : error ? (
          <Alert severity="error" role="alert">
            {messageFor(error)}
          </Alert>
        ) : (
          children
        )}
      </CardContent>
    </Card>
  );
}

function Muted({ children }: { children: ReactNode }) {
  return (
    <Typography variant="body2" color="text.secondary">
      {children}
    </Typography>
  );
}

/** Where the catalogue feature shows a service or subscription of ours to this person, if anywhere. */
function serviceLink(p: Permissions, id: string, status: string): string | null {
  if (hasRole(p, 'service_manager', 'org_admin')) return `/my-services/${id}/show`;
  return status === 'published' && p.roles.length > 0 ? `/catalogue/${id}/show` : null;
}

function subscriptionLink(p: Permissions, id: string): string | null {
  return hasRole(p, 'service_manager', 'org_admin') ? `/my-subscriptions/${id}/show` : null;
}

function Linked({ to, children }: { to: string | null; children: ReactNode }) {
  return to ? <Link to={to}>{children}</Link> : <>{children}</>;
}

function ServicesSection({ permissions }: { permissions: Permissions }) {
  const { data, error, isPending } = useOurServices();
  const provided = data?.provided;
  const consumed = data?.consumed;
  return (
    <Grid container spacing={2}>
      <Grid size={{ xs: 12, md: 6 }}>
        <Section title="Services we provide" pending={isPending} error={error}>
          {provided && (
            <>
              <Typography variant="h4" component="p" data-testid="services-provided-count">
                {countText(provided.data.length, provided.page.nextCursor !== null)}
              </Typography>
              {provided.data.length === 0 ? (
                <Muted>
                  You do not publish any services yet. Your CIO team can list one in the catalogue.
                </Muted>
              ) : (
                <List dense disablePadding>
                  {provided.data.slice(0, 5).map((service) => (
                    <ListItem key={service.id} disableGutters>
                      <Linked to={serviceLink(permissions, service.id, service.status)}>
                        {service.title}
                      </Linked>
                      {service.status !== 'published' ? ` (${SERVICE_STATUS_LABELS[service.status]})` : ''}
                    </ListItem>
                  ))}
                </List>
              )}
            </>
          )}
        </Section>
      </Grid>
      <Grid size={{ xs: 12, md: 6 }}>
        <Section title="Services we use" pending={isPending} error={error}>
          {consumed && (
            <>
              <Typography variant="h4" component="p" data-testid="services-consumed-count">
                {countText(consumed.data.length, consumed.page.nextCursor !== null)}
              </Typography>
              {consumed.data.length === 0 ? (
                <Muted>You do not take any shared services yet. Browse the catalogue to find one.</Muted>
              ) : (
                <List dense disablePadding>
                  {consumed.data.slice(0, 5).map((subscription) => (
                    <ListItem key={subscription.id} disableGutters>
                      <Linked to={subscriptionLink(permissions, subscription.id)}>
                        {subscription.serviceTitle}
                      </Linked>
                      &nbsp;from {subscription.providerOrganisationName}
                    </ListItem>
                  ))}
                </List>
              )}
            </>
          )}
        </Section>
      </Grid>
    </Grid>
  );
}

function ChargesSection({ organisation, consortiumId }: { organisation: string; consortiumId: string }) {
  const { data, error, isPending } = usePeriodCharges(consortiumId);
  const summary = data ? summariseCharges(organisation, data.charges) : null;
  return (
    <Section title="Charges this period" pending={isPending} error={error}>
      {data && !data.period && <Muted>No billing period is open in this consortium.</Muted>}
      {data?.period && summary && (
        <Box data-testid="period-charges">
          <Typography variant="body1" gutterBottom>
            {data.period.label} ({formatDateRange(data.period.startDate, data.period.endDate)})
          </Typography>
          <Grid container spacing={2}>
            <Grid size={{ xs: 12, md: 6 }}>
              <Typography component="h3" variant="subtitle1">
                Due to us: {formatMoney(summary.totalDueToUs)}
              </Typography>
              {summary.dueToUs.length === 0 ? (
                <Muted>Nobody owes {organisation} anything for this period yet.</Muted>
              ) : (
                <List dense disablePadding>
                  {summary.dueToUs.map((line) => (
                    <ListItem key={line.counterparty} disableGutters>
                      {line.phrase}
                    </ListItem>
                  ))}
                </List>
              )}
            </Grid>
            <Grid size={{ xs: 12, md: 6 }}>
              <Typography component="h3" variant="subtitle1">
                Due from us: {formatMoney(summary.totalDueFromUs)}
              </Typography>
              {summary.dueFromUs.length === 0 ? (
                <Muted>{organisation} owes nothing for this period yet.</Muted>
              ) : (
                <List dense disablePadding>
                  {summary.dueFromUs.map((line) => (
                    <ListItem key={line.counterparty} disableGutters>
                      {line.phrase}
                    </ListItem>
                  ))}
                </List>
              )}
            </Grid>
          </Grid>
          {summary.drafts > 0 && (
            <Muted>
              {summary.drafts === 1 ? '1 draft charge' : `${summary.drafts} draft charges`} of yours not
              issued yet (not owed until issued).
            </Muted>
          )}
        </Box>
      )}
    </Section>
  );
}

function SavingsSection({ consortiumId, allowed }: { consortiumId: string; allowed: boolean }) {
  const { data, error, isPending } = useSavings(consortiumId, allowed);
  if (!allowed) {
    return (
      <Section title="Savings to date">
        <Muted>Savings are shown to finance, viewers and administrators.</Muted>
      </Section>
    );
  }
  const sentence = data
    ? savingsSentence(
        data.toDate.savings.amountMinor,
        data.toDate.savingsPercentage ?? null,
        data.toDate.baseline.amountMinor,
      )
    : '';
  return (
    <Section title="Savings to date" pending={isPending} error={error}>
      {data && (
        <Box data-testid="savings">
          <Typography variant="body1" gutterBottom>
            {sentence}
          </Typography>
          {data.byPeriod.length === 0 ? (
            <Muted>No charged periods with a baseline yet: savings appear after the first charge run.</Muted>
          ) : (
            <SavingsChart points={savingsSeries(data.byPeriod)} summary={sentence} />
          )}
        </Box>
      )}
    </Section>
  );
}

const readsSavings = (p: Permissions) => hasRole(p, 'finance', 'org_admin', 'viewer') || isConsortiumAdmin(p);

/** The home screen: who is signed in, our services, this period's charges in words and our savings. */
export function Dashboard() {
  const { data, error, isPending } = useWhoAmI();
  const { permissions } = usePermissions<Permissions>();
  const [chosen, setChosen] = useState<string | undefined>();
  const consortiumId = chosen ?? data?.consortia[0]?.id;

  return (
    <Box sx={{ mt: 2, mb: 4 }}>
      <Title title="Dashboard" />
      {isPending ? (
        <Loading loadingPrimary="Loading your dashboard" loadingSecondary="" />
      ) : error || !data ? (
        <Alert severity="error" role="alert">
          {messageFor(error)}
        </Alert>
      ) : (
        <Stack spacing={2}>
          <Card>
            <CardContent>
              <Typography component="h1" variant="h5" gutterBottom>
                {data.organisation}
              </Typography>
              <Typography variant="body1" data-testid="signed-in-as">
                Signed in as <strong>{data.me.label}</strong>
              </Typography>
              <Typography component="h2" variant="subtitle1" sx={{ mt: 2 }}>
                Your roles
              </Typography>
              <Stack direction="row" spacing={1} useFlexGap flexWrap="wrap" component="ul" sx={{ p: 0 }}>
                {roleLabels(data.me).map((label) => (
                  <Chip key={label} label={label} component="li" />
                ))}
              </Stack>
              <Typography component="h2" variant="subtitle1" sx={{ mt: 2 }}>
                Your consortia
              </Typography>
              {data.consortia.length === 0 ? (
                <Muted>{data.organisation} is not an active member of any consortium yet.</Muted>
              ) : (
                <List dense disablePadding>
                  {data.consortia.map((consortium) => (
                    <ListItem key={consortium.id} disableGutters>
                      {consortium.name}
                      {consortium.administered ? ' (you administer it)' : ''}
                    </ListItem>
                  ))}
                </List>
              )}
              {data.consortia.length > 1 && (
                <TextField
                  select
                  size="small"
                  label="Show figures for"
                  value={consortiumId}
                  onChange={(event) => setChosen(event.target.value)}
                  sx={{ mt: 1, minWidth: 260 }}
                >
                  {data.consortia.map((consortium) => (
                    <MenuItem key={consortium.id} value={consortium.id}>
                      {consortium.name}
                    </MenuItem>
                  ))}
                </TextField>
              )}
            </CardContent>
          </Card>
          <ServicesSection permissions={permissions ?? NO_PERMISSIONS} />
          {consortiumId && (
            <>
              <ChargesSection organisation={data.organisation} consortiumId={consortiumId} />
              <SavingsSection
                consortiumId={consortiumId}
                allowed={readsSavings(permissions ?? NO_PERMISSIONS)}
              />
            </>
          )}
        </Stack>
      )}
    </Box>
  );
}
