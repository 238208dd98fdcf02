import { Box, Typography } from '@mui/material';
import type { ReactNode } from 'react';

/** A list with nothing in it yet: what would be here, and (optionally) how to add the first. */
export function EmptyList({ title, text, action }: { title: string; text: string; action?: ReactNode }) {
  return (
    <Box sx={{ p: 4, textAlign: 'center' }} role="status">
      <Typography component="h2" variant="h6">
        {title}
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
        {text}
      </Typography>
      {action && <Box sx={{ mt: 2 }}>{action}</Box>}
    </Box>
  );
}
