import { Chip } from '@mui/material';

/**
 * A status chip in colours that keep text contrast above WCAG AA (MUI's filled warning chip does not), so the
 * word, not only the colour, carries the meaning.
 */
export type Tone = 'good' | 'warning' | 'bad' | 'neutral' | 'info';

const TONES: Record<Tone, { bgcolor: string; color: string }> = {
  good: { bgcolor: '#e7f4e8', color: '#1b5e20' },
  warning: { bgcolor: '#fff4e5', color: '#663c00' },
  bad: { bgcolor: '#fdecea', color: '#8a1c1c' },
  neutral: { bgcolor: '#eeeeee', color: '#333333' },
  info: { bgcolor: '#e8f0fb', color: '#123a6b' },
};

export function ToneChip({ tone, label }: { tone: Tone; label: string }) {
  return <Chip size="small" label={label} sx={{ ...TONES[tone], fontWeight: 500 }} />;
}

export const SERVICE_STATUS_TONE = {
  draft: 'neutral',
  published: 'good',
  suspended: 'warning',
  retired: 'bad',
} as const satisfies Record<string, Tone>;

export const STANDING_TONE = { valid: 'good', expiring: 'warning', expired: 'bad' } as const satisfies Record<
  string,
  Tone
>;

export const COMPLIANCE_STATUS_TONE = {
  compliant: 'good',
  expiring: 'warning',
  non_compliant: 'bad',
} as const satisfies Record<string, Tone>;

export const SUBSCRIPTION_STATUS_TONE = {
  requested: 'info',
  active: 'good',
  rejected: 'bad',
  cancelled: 'neutral',
  suspended: 'warning',
  notice_given: 'warning',
  ended: 'neutral',
} as const satisfies Record<string, Tone>;
