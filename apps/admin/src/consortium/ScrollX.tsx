import { Box } from '@mui/material';
import type { ReactNode } from 'react';

/**
 * A table that may be wider than a phone scrolls sideways inside this box, not the whole page. The one-column grid
 * with a zero minimum is what stops the table's width from widening the layout around it.
 */
export function ScrollX({ children }: { children: ReactNode }) {
  return (
    <Box sx={{ display: 'grid', gridTemplateColumns: 'minmax(0, 1fr)' }}>
      <Box sx={{ overflowX: 'auto' }}>{children}</Box>
    </Box>
  );
}
