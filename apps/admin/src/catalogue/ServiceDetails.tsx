import {
  Box,
  Card,
  CardContent,
  Link,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@mui/material';
import type { ReactNode } from 'react';
import { formatDate } from '../format/date';
import { useBillingCycle, useConsortium } from './hooks';
import {
  CATEGORY_LABELS,
  COMPLIANCE_KIND_LABELS,
  COMPLIANCE_STATUS_LABELS,
  ORGANISATION_TYPE_LABELS,
  SERVICE_STATUS_LABELS,
  STANDING_LABELS,
  VAT_LABELS,
} from './labels';
import { asPricePlan, describePricePlan } from './price-plan-text';
import type { Service } from './resources';
import { capacityText, hoursText } from './subscription-text';
import { COMPLIANCE_STATUS_TONE, SERVICE_STATUS_TONE, STANDING_TONE, ToneChip } from './Tone';

type Attestation = Service['compliance']['attestations'][number];

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card variant="outlined">
      <CardContent>
        <Typography component="h2" variant="h6" gutterBottom>
          {title}
        </Typography>
        {children}
      </CardContent>
    </Card>
  );
}

/** A label and its value, as a row of a description list. */
function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', sm: '14rem 1fr' }, gap: 0.5, py: 0.5 }}>
      <Typography component="dt" variant="body2" color="text.secondary">
        {label}
      </Typography>
      <Typography component="dd" variant="body2" sx={{ m: 0 }}>
        {children}
      </Typography>
    </Box>
  );
}

/** The price new subscribers agree to, in words and money. */
export function PriceSummary({ service }: { service: Service }) {
  const cycle = useBillingCycle(service.consortiumId);
  const text = describePricePlan(asPricePlan(service.price.plan), cycle);
  return (
    <>
      <Typography variant="h6" component="p" data-testid="price-summary">
        {text.summary}
      </Typography>
      <Box component="ul" sx={{ pl: 2.5, my: 1 }}>
        {text.details.map((line) => (
          <Typography component="li" variant="body2" key={line}>
            {line}
          </Typography>
        ))}
      </Box>
      <Typography variant="body2" color="text.secondary">
        Price version {service.price.version}, set on {formatDate(service.price.createdAt)}.{' '}
        {VAT_LABELS[service.vatTreatment]}.
      </Typography>
    </>
  );
}

export function ComplianceTable({
  attestations,
  action,
}: {
  attestations: Attestation[];
  /** A button per certificate (withdraw, for the provider). */
  action?: (attestation: Attestation) => ReactNode;
}) {
  if (attestations.length === 0) {
    return <Typography variant="body2">No certificates recorded.</Typography>;
  }
  return (
    <Box sx={{ overflowX: 'auto' }}>
      <Table size="small" aria-label="Compliance certificates">
        <TableHead>
          <TableRow>
            <TableCell>Certificate</TableCell>
            <TableCell>Reference</TableCell>
            <TableCell>Issued</TableCell>
            <TableCell>Expires</TableCell>
            <TableCell>Standing</TableCell>
            {action ? <TableCell>Action</TableCell> : null}
          </TableRow>
        </TableHead>
        <TableBody>
          {attestations.map((a) => (
            <TableRow key={a.id}>
              <TableCell>
                {COMPLIANCE_KIND_LABELS[a.kind]}
                {a.required ? '' : ' (not required)'}
              </TableCell>
              <TableCell>{a.certificateReference}</TableCell>
              <TableCell>{formatDate(a.issuedOn)}</TableCell>
              <TableCell>{formatDate(a.expiresOn)}</TableCell>
              <TableCell>
                <ToneChip tone={STANDING_TONE[a.standing]} label={STANDING_LABELS[a.standing]} />
              </TableCell>
              {action ? <TableCell>{action(a)}</TableCell> : null}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

/**
 * Everything a CIO needs to decide on a service: what it is, who runs it, the service level, the price in words,
 * capacity and compliance. `actions` go beside the title; `children` after the details (price history…).
 */
export function ServiceDetails({
  service,
  actions,
  certificateAction,
  complianceActions,
  children,
}: {
  service: Service;
  actions?: ReactNode;
  certificateAction?: (attestation: Attestation) => ReactNode;
  /** Below the certificates (add one, for the provider). */
  complianceActions?: ReactNode;
  children?: ReactNode;
}) {
  const consortium = useConsortium(service.consortiumId).data;
  const level = service.serviceLevel;
  return (
    <Stack spacing={2} sx={{ mt: 2, mb: 4 }}>
      <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, alignItems: 'center' }}>
        <Box sx={{ flex: '1 1 20rem' }}>
          <Typography component="h1" variant="h5">
            {service.title}
          </Typography>
          <Typography variant="body1" color="text.secondary">
            {CATEGORY_LABELS[service.category]} · provided by <strong>{service.provider.name}</strong> (
            {ORGANISATION_TYPE_LABELS[service.provider.type]}){consortium ? ` · ${consortium.name}` : ''}
          </Typography>
        </Box>
        <ToneChip tone={SERVICE_STATUS_TONE[service.status]} label={SERVICE_STATUS_LABELS[service.status]} />
        {actions}
      </Box>
      <Typography variant="body1">{service.summary}</Typography>
      <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' } }}>
        <Section title="Price">
          <PriceSummary service={service} />
        </Section>
        <Section title="Service level and capacity">
          <Box component="dl" sx={{ m: 0 }}>
            <Fact label="Hours of cover">{level.hoursOfCover}</Fact>
            <Fact label="Response target">{hoursText(level.responseTargetHours)}</Fact>
            <Fact label="Resolution target">{hoursText(level.resolutionTargetHours)}</Fact>
            <Fact label="Availability">{level.availabilityPercent}%</Fact>
            <Fact label="Capacity">{capacityText(service.capacity)}</Fact>
          </Box>
        </Section>
      </Box>
      <Section title="Description">
        <Typography variant="body2" sx={{ whiteSpace: 'pre-line' }}>
          {service.description}
        </Typography>
      </Section>
      <Section title="Compliance">
        <Box sx={{ mb: 1 }}>
          <ToneChip
            tone={COMPLIANCE_STATUS_TONE[service.compliance.status]}
            label={COMPLIANCE_STATUS_LABELS[service.compliance.status]}
          />
        </Box>
        <ComplianceTable attestations={service.compliance.attestations} action={certificateAction} />
        {complianceActions ? <Box sx={{ mt: 2 }}>{complianceActions}</Box> : null}
      </Section>
      <Section title="Contacts">
        <Box component="ul" sx={{ pl: 2.5, m: 0 }}>
          {service.contacts.map((contact) => (
            <Typography component="li" variant="body2" key={contact.email}>
              {contact.name}
              {contact.role ? `, ${contact.role}` : ''}:{' '}
              <Link href={`mailto:${contact.email}`}>{contact.email}</Link>
              {contact.phone ? `, ${contact.phone}` : ''}
            </Typography>
          ))}
        </Box>
      </Section>
      {children}
    </Stack>
  );
}
