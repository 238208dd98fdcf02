import LockIcon from '@mui/icons-material/Lock';
import { Box, Button, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { Link, Loading, Title, usePermissions } from 'react-admin';
import { NO_PERMISSIONS, type Permissions } from '../roles';

/**
 * What someone sees who opens a screen their roles do not allow (a bookmarked or typed URL, or the API's 403).
 * `reason` is the API's own words when it said no; otherwise the page says which role is needed.
 */
export function NotAllowedPage({ reason }: { reason?: string }) {
  return (
    <Box role="region" aria-labelledby="not-allowed-heading" sx={{ mt: 4, textAlign: 'center' }}>
      <Title title="Not allowed" />
      <LockIcon fontSize="large" color="action" aria-hidden />
      <Typography id="not-allowed-heading" component="h1" variant="h5" sx={{ mt: 2 }}>
        You are not allowed to see this
      </Typography>
      <Typography variant="body1" sx={{ mt: 1 }}>
        {reason ??
          'Your roles do not include this screen. Ask your organisation administrator if you need it.'}
      </Typography>
      <Button component={Link} to="/" variant="contained" sx={{ mt: 3 }}>
        Back to the dashboard
      </Button>
    </Box>
  );
}

/**
 * Shows `children` only to people whose permissions pass `when` (the same roles as the endpoint's @Roles), and
 * the not-allowed page to everyone else. The API still decides every request; this only avoids a screen of errors.
 */
export function Allowed({
  when,
  reason,
  children,
}: {
  when: (permissions: Permissions) => boolean;
  reason?: string;
  children: ReactNode;
}) {
  const { permissions, isPending } = usePermissions<Permissions>();
  if (isPending) return <Loading loadingPrimary="Loading" loadingSecondary="" />;
  return when(permissions ?? NO_PERMISSIONS) ? <>{children}</> : <NotAllowedPage reason={reason} />;
}
