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
import { type ReactNode, useId, useState } from 'react';
import { messageFor } from '../api/problem';

export interface DialogField {
  name: string;
  label: string;
  /** Shown under the field; replaced by the reason when the value is refused. */
  helperText?: string;
  required?: boolean;
  /** Says what is wrong with a value, or returns undefined when it is fine. */
  validate?: (value: string) => string | undefined;
}

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** What will happen, in words, before anyone confirms. */
  children: ReactNode;
  confirmLabel: string;
  fields?: DialogField[];
  /** Does the work; a rejection is shown in the dialog in words and the dialog stays open to try again. */
  onConfirm: (values: Record<string, string>) => Promise<unknown>;
  onClose: () => void;
  /** Something to show above the buttons after a refusal, e.g. a way round it (see ClosePeriod). */
  afterError?: (error: unknown) => ReactNode;
  /** Words for a refusal this step knows better than the API's detail; undefined keeps the usual message. */
  describeError?: (error: unknown) => string | undefined;
}

/** A confirmation that explains the step, collects what it needs, and shows the API's answer in words. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  fields = [],
  onConfirm,
  onClose,
  afterError,
  describeError,
}: ConfirmDialogProps) {
  const titleId = useId();
  const [values, setValues] = useState<Record<string, string>>({});
  const [touched, setTouched] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const problemOf = (field: DialogField): string | undefined => {
    const value = (values[field.name] ?? '').trim();
    if (field.required && value === '') return `${field.label} is needed.`;
    return value === '' ? undefined : field.validate?.(value);
  };
  const invalid = fields.some((field) => problemOf(field) !== undefined);

  const close = () => {
    if (pending) return;
    setValues({});
    setTouched(false);
    setError(null);
    onClose();
  };

  const confirm = async () => {
    setTouched(true);
    if (invalid) return;
    setPending(true);
    setError(null);
    try {
      const trimmed = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.trim()]));
      await onConfirm(trimmed);
      setValues({});
      setTouched(false);
      onClose();
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  };

  return (
    <Dialog open={open} onClose={close} aria-labelledby={titleId} fullWidth maxWidth="sm">
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent>
        <Stack spacing={2}>
          <DialogContentText component="div">{children}</DialogContentText>
          {fields.map((field) => {
            const problem = touched ? problemOf(field) : undefined;
            return (
              <TextField
                key={field.name}
                label={field.label}
                required={field.required}
                value={values[field.name] ?? ''}
                onChange={(event) => setValues({ ...values, [field.name]: event.target.value })}
                error={problem !== undefined}
                helperText={problem ?? field.helperText}
                multiline={field.name === 'reason'}
                minRows={field.name === 'reason' ? 2 : undefined}
                fullWidth
              />
            );
          })}
          {error ? (
            <Alert severity="error" role="alert">
              {describeError?.(error) ?? messageFor(error)}
            </Alert>
          ) : null}
          {error && afterError ? afterError(error) : null}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={close} disabled={pending}>
          Cancel
        </Button>
        <Button onClick={confirm} variant="contained" disabled={pending}>
          {pending ? 'Working…' : confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
