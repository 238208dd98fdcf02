import { type ComplianceKind, complianceStanding, type ComplianceStanding } from '@consortium/domain';

export const COMPLIANCE_STATUSES = ['compliant', 'expiring', 'non_compliant'] as const;
export type ComplianceStatus = (typeof COMPLIANCE_STATUSES)[number];

export interface AttestationFacts {
  readonly kind: ComplianceKind;
  readonly expiresOn: string;
  readonly required: boolean;
}

const STATUS_OF: Record<ComplianceStanding, ComplianceStatus> = {
  valid: 'compliant',
  expiring: 'expiring',
  expired: 'non_compliant',
};
const SEVERITY: ComplianceStatus[] = ['compliant', 'expiring', 'non_compliant'];

/**
 * Where a service's certificates leave it: non-compliant when a required certificate has expired, expiring when
 * one expires within the warning window, compliant otherwise. For each kind only the required certificate that
 * runs latest counts, so a renewed certificate supersedes the one it replaces rather than leaving the service
 * non-compliant for ever. Certificates that are not required never change the status.
 */
export function overallComplianceStatus(
  attestations: readonly AttestationFacts[],
  today: string,
): ComplianceStatus {
  const latestByKind = new Map<ComplianceKind, string>();
  for (const attestation of attestations) {
    if (!attestation.required) continue;
    const latest = latestByKind.get(attestation.kind);
    if (latest === undefined || attestation.expiresOn > latest) {
      latestByKind.set(attestation.kind, attestation.expiresOn);
    }
  }
  let worst: ComplianceStatus = 'compliant';
  for (const expiresOn of latestByKind.values()) {
    const status = STATUS_OF[complianceStanding(expiresOn, today)];
    if (SEVERITY.indexOf(status) > SEVERITY.indexOf(worst)) worst = status;
  }
  return worst;
}

const LONDON_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today's date in the UK (YYYY-MM-DD): certificates lapse by the UK calendar, not the server's time zone. */
export function ukToday(now: Date = new Date()): string {
  return LONDON_DATE.format(now);
}
