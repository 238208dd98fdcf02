import {
  Button,
  Card,
  CardContent,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  MenuItem,
  Stack,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Form, SaveButton, Toolbar } from 'react-admin';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { formatDate } from '../format/date';
import { useApiAction, useBillingCycle } from './hooks';
import { choicesOf, COMPLIANCE_KIND_LABELS, type ComplianceKind } from './labels';
import { pricePlanFromForm } from './price-plan-form';
import { asPricePlan, describePricePlan } from './price-plan-text';
import { PricePlanInputs } from './PricePlanInputs';
import type { Service } from './resources';

/** Every price version, newest first, and the way to set a new one (existing subscribers keep theirs). */
export function PriceVersionsPanel({ service, canChange }: { service: Service; canChange: boolean }) {
  const cycle = useBillingCycle(service.consortiumId);
  const [open, setOpen] = useState(false);
  const versions = useQuery({
    queryKey: ['price-versions', service.id, service.price.version],
    // A new version reloads the table: keep showing the old one meanwhile rather than a loading line.
    placeholderData: keepPreviousData,
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/services/{id}/price-versions', {
          params: { path: { id: service.id }, query: { limit: 50 } },
          signal,
        }),
      ),
  });
  const append = useApiAction(
    async (pricePlan: Record<string, unknown>) =>
      unwrap(
        await api.POST('/api/v1/services/{id}/price-versions', {
          params: { path: { id: service.id } },
          body: { pricePlan: asPricePlan(pricePlan) },
        }),
      ),
    (version) => `Price version ${version.version} is now the price new subscribers agree to.`,
  );
  const titleId = useId();
  return (
    <Card variant="outlined">
      <CardContent>
        <Stack direction="row" spacing={2} sx={{ alignItems: 'center', mb: 1 }}>
          <Typography component="h2" variant="h6" sx={{ flex: 1 }}>
            Price versions
          </Typography>
          {canChange ? (
            <Button variant="outlined" onClick={() => setOpen(true)}>
              Change the price
            </Button>
          ) : null}
        </Stack>
        {versions.isPending ? (
          <Typography variant="body2">Loading price versions…</Typography>
        ) : versions.error ? (
          <Typography variant="body2" role="alert">
            {versions.error.message}
          </Typography>
        ) : (
          <Table size="small" aria-label="Price versions">
            <TableHead>
              <TableRow>
                <TableCell>Version</TableCell>
                <TableCell>Price</TableCell>
                <TableCell>Set on</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {versions.data.data.map((version) => (
                <TableRow key={version.id}>
                  <TableCell>
                    {version.version}
                    {version.isCurrent ? ' (current)' : ''}
                  </TableCell>
                  <TableCell>{describePricePlan(asPricePlan(version.plan), cycle).summary}</TableCell>
                  <TableCell>{formatDate(version.createdAt)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
      {open ? (
        <Dialog open onClose={() => setOpen(false)} aria-labelledby={titleId} fullWidth maxWidth="md">
          <DialogTitle id={titleId}>Change the price of {service.title}</DialogTitle>
          <Form
            defaultValues={{ pricePlan: service.price.plan }}
            onSubmit={(values: Record<string, unknown>) =>
              append.mutate(pricePlanFromForm((values.pricePlan ?? {}) as Record<string, unknown>), {
                onSuccess: () => setOpen(false),
              })
            }
          >
            <DialogContent>
              <Typography variant="body2" sx={{ mb: 2 }}>
                New subscriptions agree to the new price; existing subscribers keep the version they agreed to
                until they accept it.
              </Typography>
              <PricePlanInputs source="pricePlan" />
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setOpen(false)}>Cancel</Button>
              <Toolbar sx={{ p: 0, minHeight: 0, bgcolor: 'transparent' }}>
                <SaveButton label="Set new price" alwaysEnable={!append.isPending} />
              </Toolbar>
            </DialogActions>
          </Form>
        </Dialog>
      ) : null}
    </Card>
  );
}

/** Records a certificate the service holds. */
export function CertificateDialog({ service, onClose }: { service: Service; onClose: () => void }) {
  const titleId = useId();
  const [kind, setKind] = useState<ComplianceKind>('psn_compliance');
  const [reference, setReference] = useState('');
  const [issuedOn, setIssuedOn] = useState('');
  const [expiresOn, setExpiresOn] = useState('');
  const [isRequired, setRequired] = useState(true);
  const attest = useApiAction(
    async () =>
      unwrap(
        await api.POST('/api/v1/services/{id}/compliance', {
          params: { path: { id: service.id } },
          body: { kind, certificateReference: reference.trim(), issuedOn, expiresOn, required: isRequired },
        }),
      ),
    (attestation) => `${COMPLIANCE_KIND_LABELS[attestation.kind]} certificate recorded.`,
  );
  const complete = reference.trim() !== '' && issuedOn !== '' && expiresOn !== '';
  return (
    <Dialog open onClose={onClose} aria-labelledby={titleId} fullWidth maxWidth="sm">
      <DialogTitle id={titleId}>Add a compliance certificate</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ mt: 1 }}>
          <TextField
            select
            label="Certificate"
            value={kind}
            onChange={(e) => setKind(e.target.value as ComplianceKind)}
          >
            {choicesOf(COMPLIANCE_KIND_LABELS).map((choice) => (
              <MenuItem key={choice.id} value={choice.id}>
                {choice.name}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            label="Certificate reference"
            value={reference}
            onChange={(e) => setReference(e.target.value)}
            required
          />
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            <TextField
              label="Issued on"
              type="date"
              value={issuedOn}
              onChange={(e) => setIssuedOn(e.target.value)}
              required
              slotProps={{ inputLabel: { shrink: true } }}
            />
            <TextField
              label="Expires on"
              type="date"
              value={expiresOn}
              onChange={(e) => setExpiresOn(e.target.value)}
              required
              slotProps={{ inputLabel: { shrink: true } }}
            />
          </Stack>
          <FormControlLabel
            control={<Switch checked={isRequired} onChange={(e) => setRequired(e.target.checked)} />}
            label="The service depends on it (an expired required certificate makes the service non-compliant)"
          />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="contained"
          disabled={!complete || attest.isPending}
          onClick={() => attest.mutate(undefined, { onSuccess: onClose })}
        >
          Add certificate
        </Button>
      </DialogActions>
    </Dialog>
  );
}
