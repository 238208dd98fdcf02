import { Alert, Box, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { Loading, useListContext } from 'react-admin';
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

/** A react-admin list's error, in words (the notification alone disappears). */
export function ListProblem() {
  const { error } = useListContext();
  return <Problem error={error} />;
}
