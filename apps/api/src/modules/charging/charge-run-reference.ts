/**
 * A cross-charge's reference for finance teams: the consortium's initials, the period key and a sequence number,
 * e.g. `ECIC-2026-11-0042` for the Eastern Counties ICT Consortium's November 2026 charges.
 */
export function consortiumInitials(name: string): string {
  const initials = name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase())
    .join('')
    .slice(0, 8);
  return initials || 'CC';
}

export function crossChargeReferencePrefix(consortiumName: string, periodKey: string): string {
  return `${consortiumInitials(consortiumName)}-${periodKey}`;
}

export function crossChargeReference(prefix: string, sequence: number): string {
  return `${prefix}-${String(sequence).padStart(4, '0')}`;
}

/** The reference of a pair's n-th supplementary charge: the original's with `-S<n>`, e.g. `ECIC-2026-Q4-0018-S1`. */
export function supplementReference(originalReference: string, n: number): string {
  return `${originalReference}-S${n}`;
}
