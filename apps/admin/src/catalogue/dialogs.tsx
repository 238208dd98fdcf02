import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Stack,
  TextField,
} from '@mui/material';
import { type FormEvent, useId, useState } from 'react';
import { fieldProblems } from '../api/problem';
import type { DialogField } from '../components/ConfirmDialog';
import { formatDate } from '../format/date';
import { quantityRefusedForCapacity, subscriptionProblemMessage, ukToday } from './subscription-text';

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

/** The inputs of the quantity dialog, by the API field each sends (ChangeQuantityDto). */
const QUANTITY_FIELDS = ['quantity', 'effectiveFrom'] as const;

/**
 * A new quantity from a day on (the consumer): the API checks capacity for an increase. It runs the change
 * itself, so a refusal is said inside the dialog, which stays open: a refused field (a day before the
 * subscription starts, a full service for the quantity) under its own input, anything else above the buttons.
 */
export function QuantityDialog({
  current,
  startDate,
  onConfirm,
  onClose,
}: {
  current: number;
  /** The subscription's first day: a change cannot take effect before it, so the dialog proposes no earlier day. */
  startDate: string;
  /** Makes the change; a rejection is shown in the dialog. */
  onConfirm: (change: { quantity: number; effectiveFrom: string }) => Promise<unknown>;
  onClose: () => void;
}) {
  const titleId = useId();
  const [quantity, setQuantity] = useState(String(current));
  const [effectiveFrom, setEffectiveFrom] = useState(() => {
    const today = ukToday();
    return startDate > today ? startDate : today;
  });
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const valid =
    /^\d+$/.test(quantity.trim()) && Number(quantity) >= 1 && /^\d{4}-\d{2}-\d{2}$/.test(effectiveFrom);

  const refused = fieldProblems(error);
  const quantityProblem = refused.quantity ?? quantityRefusedForCapacity(error);
  const fromProblem = refused.effectiveFrom;
  // Field errors for no input here (a future API rule) are still said, in the alert.
  const unshown = Object.entries(refused)
    .filter(([field]) => !(QUANTITY_FIELDS as readonly string[]).includes(field))
    .map(([, message]) => message);
  const alert = !error
    ? undefined
    : unshown.length > 0
      ? unshown.join(' ')
      : quantityProblem || fromProblem
        ? 'The quantity has not changed: please correct the highlighted field.'
        : subscriptionProblemMessage(error);

  const close = () => {
    if (!pending) onClose();
  };
  const confirm = async (event: FormEvent) => {
    event.preventDefault();
    if (!valid || pending) return;
    setPending(true);
    setError(null);
    try {
      await onConfirm({ quantity: Number(quantity), effectiveFrom });
      onClose();
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  };
  // A changed value is a new attempt: the old refusal no longer describes it.
  const edit = (set: (value: string) => void) => (value: string) => {
    set(value);
    setError(null);
  };

  return (
    <Dialog open onClose={close} aria-labelledby={titleId} fullWidth maxWidth="sm">
      <form onSubmit={(event) => void confirm(event)} noValidate>
        <DialogTitle id={titleId}>Change the quantity</DialogTitle>
        <DialogContent>
          <DialogContentText>
            You take {current} now. The new quantity applies from the day you choose; an increase needs room
            on the service.
          </DialogContentText>
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mt: 2 }}>
            <TextField
              label="New quantity"
              value={quantity}
              onChange={(e) => edit(setQuantity)(e.target.value)}
              required
              autoFocus
              error={Boolean(quantityProblem)}
              helperText={quantityProblem}
              slotProps={{ htmlInput: { inputMode: 'numeric' } }}
              sx={{ flex: 1 }}
            />
            <TextField
              label="From"
              type="date"
              value={effectiveFrom}
              onChange={(e) => edit(setEffectiveFrom)(e.target.value)}
              required
              error={Boolean(fromProblem)}
              helperText={fromProblem ?? formatDate(effectiveFrom)}
              slotProps={{ inputLabel: { shrink: true } }}
              sx={{ flex: 1 }}
            />
          </Stack>
          {alert ? (
            <Alert severity="error" role="alert" sx={{ mt: 2 }}>
              {alert}
            </Alert>
          ) : null}
        </DialogContent>
        <DialogActions>
          <Button onClick={close} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" disabled={!valid || pending}>
            {pending ? 'Working…' : 'Change quantity'}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
