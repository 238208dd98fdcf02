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
import { formatDate } from '../format/date';
import { ukToday } from './subscription-text';

/**
 * Confirms a step and, where the other side will read one, asks for a reason (required for rejecting or
 * suspending, optional for giving notice).
 */
export function ReasonDialog({
  title,
  explanation,
  confirmLabel,
  reason,
  busy,
  onConfirm,
  onClose,
}: {
  title: string;
  explanation: string;
  confirmLabel: string;
  /** `required`, `optional`, or no reason asked for. */
  reason?: 'required' | 'optional';
  busy?: boolean;
  onConfirm: (reason: string | undefined) => void;
  onClose: () => void;
}) {
  const titleId = useId();
  const [text, setText] = useState('');
  const missing = reason === 'required' && text.trim() === '';
  return (
    <Dialog open onClose={onClose} aria-labelledby={titleId} fullWidth maxWidth="sm">
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent>
        <DialogContentText>{explanation}</DialogContentText>
        {reason ? (
          <TextField
            label={reason === 'required' ? 'Reason (the other side reads this)' : 'Reason (optional)'}
            value={text}
            onChange={(event) => setText(event.target.value)}
            multiline
            minRows={2}
            fullWidth
            required={reason === 'required'}
            sx={{ mt: 2 }}
            autoFocus
          />
        ) : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="contained"
          onClick={() => onConfirm(text.trim() || undefined)}
          disabled={missing || busy}
        >
          {confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
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
