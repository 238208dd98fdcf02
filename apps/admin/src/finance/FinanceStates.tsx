import { Alert, Box, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { Loading } from 'react-admin';
import { messageFor } from '../api/problem';

/** Loading, error and empty states shared by the finance screens, so each reads the same way. */
export function Waiting({ what }: { what: string }) {
  return <Loading loadingPrimary={`Loading ${what}`} loadingSecondary="" />;
}

export function Problem({ error }: { error: unknown }) {
  return (
    <Alert severity="error" role="alert" sx={{ my: 2 }}>
      {messageFor(error)}
    </Alert>
  );
}

export function Nothing({ children }: { children: ReactNode }) {
  return (
    <Box sx={{ p: 2 }}>
      <Typography variant="body2" color="text.secondary">
        {children}
      </Typography>
    </Box>
  );
}

/**
 * A wide table that scrolls sideways on a phone rather than squeezing its columns. Focusable and named, so a
 * keyboard can scroll it and a screen reader says what it holds.
 */
export function WideTable({ label, children }: { label: string; children: ReactNode }) {
  // Width 0 with a minimum of 100%: the table scrolls inside the page rather than widening it (the layout fits
  // its content).
  return (
    <Box role="region" aria-label={label} tabIndex={0} sx={{ overflowX: 'auto', width: 0, minWidth: '100%' }}>
      {children}
    </Box>
  );
}
