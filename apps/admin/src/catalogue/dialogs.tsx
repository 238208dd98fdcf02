import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Stack,
  TextField,
} from '@mui/material';
import { useId, useState } from 'react';
import type { DialogField } from '../components/ConfirmDialog';
import { formatDate } from '../format/date';
import { ukToday } from './subscription-text';

/**
 * The reason field of a confirmation (components/ConfirmDialog), where the other side will read one: required
 * for rejecting or suspending, optional for giving notice, none for a step that needs no words.
 */
export function reasonFields(reason: 'required' | 'optional' | undefined): DialogField[] {
  if (!reason) return [];
  return [
    {
      name: 'reason',
      label: reason === 'required' ? 'Reason (the other side reads this)' : 'Reason (optional)',
      kind: 'multiline',
      required: reason === 'required',
    },
  ];
}

/** A new quantity from a day on (the consumer): the API checks capacity for an increase. */
export function QuantityDialog({
  current,
  busy,
  onConfirm,
  onClose,
}: {
  current: number;
  busy?: boolean;
  onConfirm: (change: { quantity: number; effectiveFrom: string }) => void;
  onClose: () => void;
}) {
  const titleId = useId();
  const [quantity, setQuantity] = useState(String(current));
  const [effectiveFrom, setEffectiveFrom] = useState(ukToday());
  const valid =
    /^\d+$/.test(quantity.trim()) && Number(quantity) >= 1 && /^\d{4}-\d{2}-\d{2}$/.test(effectiveFrom);
  return (
    <Dialog open onClose={onClose} aria-labelledby={titleId} fullWidth maxWidth="sm">
      <DialogTitle id={titleId}>Change the quantity</DialogTitle>
      <DialogContent>
        <DialogContentText>
          You take {current} now. The new quantity applies from the day you choose; an increase needs room on
          the service.
        </DialogContentText>
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mt: 2 }}>
          <TextField
            label="New quantity"
            value={quantity}
            onChange={(e) => setQuantity(e.target.value)}
            inputMode="numeric"
            required
          />
          <TextField
            label="From"
            type="date"
            value={effectiveFrom}
            onChange={(e) => setEffectiveFrom(e.target.value)}
            required
            helperText={formatDate(effectiveFrom)}
            slotProps={{ inputLabel: { shrink: true } }}
          />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="contained"
          disabled={!valid || busy}
          onClick={() => onConfirm({ quantity: Number(quantity), effectiveFrom })}
        >
          Change quantity
        </Button>
      </DialogActions>
    </Dialog>
  );
}
