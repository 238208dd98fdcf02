import { idempotencyKey as newIdempotencyKey } from '@consortium/api-client';
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
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { fieldProblems, messageFor } from '../api/problem';
import { CORRECT_THE_FIELDS } from '../api/problem-text';

export interface DialogField {
  name: string;
  label: string;
  /** `text` (one line, the default), `multiline` (a reason, a message) or `money` (pounds, as typed). */
  kind?: 'text' | 'multiline' | 'money';
  /** Shown under the field; replaced by the reason when the value is refused. */
  helperText?: string;
  required?: boolean;
  /** What to say when a required field is left empty; `<label> is needed.` unless given. */
  requiredText?: string;
  /** Says what is wrong with a (non-empty, trimmed) value, or returns undefined when it is fine. */
  validate?: (value: string) => string | undefined;
  maxLength?: number;
}

export interface ConfirmInput {
  /** Each field's trimmed value, by name (a field never typed in is absent). */
  values: Record<string, string>;
  /**
   * Made once per opening of the dialog, so pressing confirm again after a failure (a lost connection) retries
   * the same action rather than taking it twice. Send it as the Idempotency-Key of a money-moving request.
   */
  idempotencyKey: string;
}

export interface ConfirmDialogProps {
  open: boolean;
  title: string;
  /** What will happen, in words, before anyone confirms. */
  children: ReactNode;
  confirmLabel: string;
  fields?: DialogField[];
  /**
   * Keep the confirm button disabled until every field is fine, rather than saying what is missing when it is
   * pressed (for a single required reason whose label already says so).
   */
  holdUntilValid?: boolean;
  /** Does the work; a rejection is shown in the dialog in words and the dialog stays open to try again. */
  onConfirm: (values: Record<string, string>, input: ConfirmInput) => Promise<unknown>;
  onClose: () => void;
  /** Something to show above the buttons after a refusal, e.g. a way round it (see ClosePeriod). */
  afterError?: (error: unknown) => ReactNode;
  /** Words for a refusal this step knows better than the API's detail; undefined keeps the usual message. */
  describeError?: (error: unknown) => string | undefined;
}

/**
 * The admin UI's one confirmation: explains the step, collects what it needs, runs it, and shows the API's
 * refusal in words inside the dialog, which stays open to try again.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  fields = [],
  holdUntilValid = false,
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
  // Renewed when the dialog closes, so the next opening is a new action with a new key.
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);

  const problemOf = (field: DialogField): string | undefined => {
    const value = (values[field.name] ?? '').trim();
    if (field.required && value === '') return field.requiredText ?? `${field.label} is needed.`;
    return value === '' ? undefined : field.validate?.(value);
  };
  const invalid = fields.some((field) => problemOf(field) !== undefined);
  // The API's refusal of a field this dialog has (one named as the API names it) is said under that field.
  const refused = fieldProblems(error);
  const refusedHere = fields.filter((field) => refused[field.name] !== undefined).map((f) => f.name);
  const allRefusalsShown =
    refusedHere.length > 0 && Object.keys(refused).every((name) => refusedHere.includes(name));

  const reset = () => {
    setValues({});
    setTouched(false);
    setError(null);
    setIdempotencyKey(newIdempotencyKey());
  };

  const close = () => {
    if (pending) return;
    reset();
    onClose();
  };

  const confirm = async (event?: FormEvent) => {
    event?.preventDefault();
    if (pending) return;
    setTouched(true);
    if (invalid) return;
    setPending(true);
    setError(null);
    try {
      const trimmed = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.trim()]));
      await onConfirm(trimmed, { values: trimmed, idempotencyKey });
      reset();
      onClose();
    } catch (caught) {
      setError(caught);
      // Every field shown was fine; one the refusal brings (ClosePeriod's reason to close anyway) is not wrong yet.
      setTouched(false);
    } finally {
      setPending(false);
    }
  };

  return (
    <Dialog open={open} onClose={close} aria-labelledby={titleId} fullWidth maxWidth="sm">
      <form onSubmit={(event) => void confirm(event)} noValidate>
        <DialogTitle id={titleId}>{title}</DialogTitle>
        <DialogContent>
          <Stack spacing={2}>
            <DialogContentText component="div">{children}</DialogContentText>
            {fields.map((field, index) => {
              const problem = (touched ? problemOf(field) : undefined) ?? refused[field.name];
              const kind = field.kind ?? 'text';
              return (
                <TextField
                  key={field.name}
                  label={field.label}
                  required={field.required}
                  value={values[field.name] ?? ''}
                  onChange={(event) => {
                    setValues({ ...values, [field.name]: event.target.value });
                    // A changed value is a new attempt: the API's old refusal no longer describes it.
                    if (refused[field.name]) setError(null);
                  }}
                  error={problem !== undefined}
                  helperText={problem ?? field.helperText}
                  multiline={kind === 'multiline'}
                  minRows={kind === 'multiline' ? 2 : undefined}
                  autoFocus={index === 0}
                  fullWidth
                  slotProps={{
                    htmlInput: {
                      ...(field.maxLength ? { maxLength: field.maxLength } : {}),
                      ...(kind === 'money' ? { inputMode: 'decimal' } : {}),
                    },
                  }}
                />
              );
            })}
            {error ? (
              <Alert severity="error" role="alert">
                {allRefusalsShown ? CORRECT_THE_FIELDS : (describeError?.(error) ?? messageFor(error))}
              </Alert>
            ) : null}
            {error && afterError ? afterError(error) : null}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={close} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" disabled={pending || (holdUntilValid && invalid)}>
            {pending ? 'Working…' : confirmLabel}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
