import { Box, TextField } from '@mui/material';
import { useListContext } from 'react-admin';

/** One way a list can be ordered, in words ("Newest first"), and the API sort it asks for. */
export interface SortOption {
  field: string;
  order: 'ASC' | 'DESC';
  label: string;
}

/** "Newest first" and "Oldest first" for a list sorted by a date field. */
export const byDate = (field: string, newest = 'Newest first', oldest = 'Oldest first'): SortOption[] => [
  { field, order: 'DESC', label: newest },
  { field, order: 'ASC', label: oldest },
];

/**
 * How a list is sorted where it has no column headers to click (one row per item on a phone): a labelled select
 * of the orders the API offers for it, in words. It sets the list's sort, so paging and filters keep working.
 */
export function SortChoice({ options }: { options: SortOption[] }) {
  const { sort, setSort } = useListContext();
  const current = options.findIndex((o) => o.field === sort.field && o.order === sort.order);
  return (
    <Box sx={{ px: 2, pt: 2 }}>
      <TextField
        select
        size="small"
        label="Sort by"
        value={current >= 0 ? String(current) : ''}
        onChange={(event) => {
          const chosen = options[Number(event.target.value)];
          if (chosen) setSort({ field: chosen.field, order: chosen.order });
        }}
        slotProps={{ select: { native: true }, inputLabel: { shrink: true } }}
        sx={{ minWidth: '14rem' }}
      >
        {current < 0 ? <option value="">—</option> : null}
        {options.map((option, index) => (
          <option key={`${option.field}-${option.order}`} value={String(index)}>
            {option.label}
          </option>
        ))}
      </TextField>
    </Box>
  );
}
