import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  TextField,
} from '@mui/material';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { messageFor } from '../api/problem';
import { parseMoneyInput } from '../format/money';

export interface ReasonDialogProps {
  title: string;
  /** What will happen, in words, so the person confirms knowingly. */
  explanation: string;
  confirmLabel: string;
  /** Whether a reason is asked for (the API wants 3 to 2,000 characters). */
  askReason?: boolean;
  reasonLabel?: string;
  /** Offer "what the line's net should have been" (accepting a dispute for part of the line). */
  askCorrectedNet?: boolean;
  /**
   * Does the step. `idempotencyKey` is made once when the dialog opens, so pressing confirm again after a failure
   * (a lost connection) retries the same action rather than taking it twice.
   */
  onConfirm: (input: {
    reason: string;
    correctedNetMinor?: string;
    idempotencyKey: string;
  }) => Promise<unknown>;
  onDone: () => void;
  onClose: () => void;
}

const REASON_MIN = 3;

/** A confirmation for one review step, with its reason; the API's refusal is shown in words inside the dialog. */
export function ReasonDialog(props: ReasonDialogProps) {
  const { askReason = true } = props;
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const [reason, setReason] = useState('');
  const [corrected, setCorrected] = useState('');
  const [touched, setTouched] = useState(false);
  const titleId = useId();
  const mutation = useMutation({
    mutationFn: props.onConfirm,
    onSuccess: () => props.onDone(),
  });

  const reasonError =
    askReason && reason.trim().length < REASON_MIN
      ? `Please give a reason of at least ${REASON_MIN} characters.`
      : null;
  const correctedPence = corrected.trim() === '' ? null : parseMoneyInput(corrected);
  const correctedError =
    props.askCorrectedNet && corrected.trim() !== '' && (correctedPence === null || correctedPence < 0n)
      ? 'Enter an amount in pounds, such as 1,234.50, or leave it empty to credit the whole line.'
      : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (reasonError || correctedError) return;
    mutation.mutate({
      reason: reason.trim(),
      idempotencyKey,
      ...(correctedPence !== null ? { correctedNetMinor: correctedPence.toString() } : {}),
    });
  }

  return (
    <Dialog open onClose={mutation.isPending ? undefined : props.onClose} aria-labelledby={titleId} fullWidth>
      <form onSubmit={submit} noValidate>
        <DialogTitle id={titleId}>{props.title}</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 2 }}>{props.explanation}</DialogContentText>
          {askReason && (
            <TextField
              label={props.reasonLabel ?? 'Reason'}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
              multiline
              minRows={3}
              fullWidth
              autoFocus
              required
              error={touched && reasonError !== null}
              helperText={
                touched && reasonError ? reasonError : 'The other side reads this; it stays in the comments.'
              }
              slotProps={{ htmlInput: { maxLength: 2000 } }}
            />
          )}
          {props.askCorrectedNet && (
            <TextField
              label="What the line’s net should have been (£, optional)"
              value={corrected}
              onChange={(event) => setCorrected(event.target.value)}
              fullWidth
              sx={{ mt: 2 }}
              error={touched && correctedError !== null}
              helperText={
                touched && correctedError ? correctedError : 'Leave empty to credit the whole line.'
              }
              slotProps={{ htmlInput: { inputMode: 'decimal' } }}
            />
          )}
          {mutation.error && (
            <Alert severity="error" role="alert" sx={{ mt: 2 }}>
              {messageFor(mutation.error)}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose} disabled={mutation.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" disabled={mutation.isPending}>
            {mutation.isPending ? 'Working…' : props.confirmLabel}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
