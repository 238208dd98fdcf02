import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  List as MuiList,
  ListItem,
  ListItemText,
  Stack,
  Typography,
} from '@mui/material';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Title, useNotify, usePermissions } from 'react-admin';
import { useParams } from 'react-router-dom';
import { problemCode } from '../api/problem';
import { ConfirmDialog, type DialogField } from '../components/ConfirmDialog';
import { reconciliationPath, seesReconciliation } from '../reconciliation/words';
import { formatDateTime } from '../format/date';
import { periodName } from '../format/period';
import { formatAmount, formatMoneyAbsolute, parseMoneyInput } from '../format/money';
import type { Permissions } from '../roles';
import { ChargeCreditNotes, ChargeLines } from './ChargeTables';
import { CommentThread } from './CommentThread';
import { approveCharge, decideDispute, disputeLine, fetchCharge, issueCharge } from './finance-api';
import { Nothing, Problem, Waiting } from './FinanceStates';
import { retryUnlessRefused } from './useConsortia';
import {
  CHARGE_STATUS_LABELS,
  type ChargeLine,
  chargeActions,
  chargeSentence,
  type CrossChargeDetail,
  DISPUTE_STATUS_LABELS,
  type Dispute,
  type DisputeAction,
  disputeActions,
  sideOf,
  statusHistory,
  supplementSentence,
  withMetricNames,
} from './words';

/** One review step to confirm: its words, what it asks for, what it does and what to say when it is done. */
interface DialogSpec {
  title: string;
  /** What will happen, in words, so the person confirms knowingly. */
  explanation: string;
  confirmLabel: string;
  /** Whether a reason is asked for (the API wants 3 to 2,000 characters). */
  askReason?: boolean;
  reasonLabel?: string;
  /** Offer "what the line's net should have been" (accepting a dispute for part of the line). */
  askCorrectedNet?: boolean;
  /** `idempotencyKey` is made once per opening of the dialog, so a retry after a failure is the same action. */
  onConfirm: (input: {
    reason: string;
    correctedNetMinor?: string;
    idempotencyKey: string;
  }) => Promise<unknown>;
  done: string;
}

const REASON_MIN = 3;
const REASON_SHORT = `Please give a reason of at least ${REASON_MIN} characters.`;

function fieldsOf(spec: DialogSpec): DialogField[] {
  return [
    ...(spec.askReason === false
      ? []
      : [
          {
            name: 'reason',
            label: spec.reasonLabel ?? 'Reason',
            kind: 'multiline' as const,
            required: true,
            requiredText: REASON_SHORT,
            validate: (value: string) => (value.length < REASON_MIN ? REASON_SHORT : undefined),
            helperText: 'The other side reads this; it stays in the comments.',
            maxLength: 2000,
          },
        ]),
    ...(spec.askCorrectedNet
      ? [
          {
            name: 'correctedNet',
            label: 'What the line’s net should have been (£, optional)',
            kind: 'money' as const,
            helperText: 'Leave empty to credit the whole line.',
            validate: (value: string) => {
              const pence = parseMoneyInput(value);
              return pence === null || pence < 0n
                ? 'Enter an amount in pounds, such as 1,234.50, or leave it empty to credit the whole line.'
                : undefined;
            },
          },
        ]
      : []),
  ];
}

function Amounts({ charge }: { charge: CrossChargeDetail }) {
  const rows: [string, string][] = [
    ['Net', formatAmount(charge.net)],
    ['VAT', formatAmount(charge.vat)],
    ['Gross', formatAmount(charge.gross)],
    ['Credited so far', formatAmount(charge.credited)],
  ];
  return (
    <Stack direction="row" spacing={3} useFlexGap flexWrap="wrap" component="dl" sx={{ m: 0 }}>
      {rows.map(([label, value]) => (
        <Box key={label}>
          <Typography component="dt" variant="caption" color="text.secondary">
            {label}
          </Typography>
          <Typography component="dd" variant="body1" sx={{ m: 0, fontWeight: 600 }}>
            {value}
          </Typography>
        </Box>
      ))}
    </Stack>
  );
}

const DISPUTE_STEP: Record<DisputeAction, { label: string; explanation: (c: CrossChargeDetail) => string }> =
  {
    accept: {
      label: 'Accept and credit',
      explanation: (c) =>
        `A credit note to ${c.consumer.name} is raised for the line (or the difference to the net you give) and posted to the ledger.`,
    },
    reject: {
      label: 'Reject',
      explanation: (c) =>
        `The line stands as charged; ${c.consumer.name} may then escalate or withdraw the dispute.`,
    },
    escalate: {
      label: 'Escalate',
      explanation: () => 'The consortium’s administrators will decide the dispute.',
    },
    withdraw: {
      label: 'Withdraw dispute',
      explanation: () => 'The line stands as charged and the dispute is closed.',
    },
  };

/** On a supplementary charge: the original it adds to (a link) and what it holds, in words. */
function SupplementOf({ charge }: { charge: CrossChargeDetail }) {
  if (!charge.supplementOf) return null;
  return (
    <Alert severity="info" sx={{ mt: 1 }} data-testid="supplement-of">
      <AlertTitle>
        Supplementary to{' '}
        <Link to={`/cross-charges/${charge.supplementOf.id}/show`}>{charge.supplementOf.reference}</Link>
      </AlertTitle>
      {supplementSentence(charge)} Review it like any other charge; {charge.supplementOf.reference} stays as
      it was issued.
    </Alert>
  );
}

/** On an original: its supplementary charges (links) and what each holds, in words. */
function Supplements({ charge }: { charge: CrossChargeDetail }) {
  if (charge.supplements.length === 0) return null;
  return (
    <Card component="section" aria-labelledby="supplements-heading" data-testid="supplements">
      <CardContent>
        <Typography id="supplements-heading" component="h2" variant="h6">
          Supplementary charges
        </Typography>
        <Typography variant="body2" sx={{ mt: 1 }}>
          What was reported or changed after {charge.reference} was issued is charged on{' '}
          {charge.supplements.map((supplement, index) => (
            <span key={supplement.id}>
              {index > 0 ? (index === charge.supplements.length - 1 ? ' and ' : ', ') : null}
              <Link to={`/cross-charges/${supplement.id}/show`}>{supplement.reference}</Link>
            </span>
          ))}
          ; {charge.reference} itself is never changed.
        </Typography>
        {charge.supplementNotes.length > 0 ? (
          <MuiList dense>
            {charge.supplementNotes.map((note, index) => (
              <ListItem key={index} disableGutters>
                <ListItemText primary={withMetricNames(note)} />
              </ListItem>
            ))}
          </MuiList>
        ) : null}
      </CardContent>
    </Card>
  );
}

/**
 * What a refusal because a charge run is recomputing the period's drafts means for the person: nothing happened,
 * and the charge may change before they try again (the page reads it again at once).
 */
function ChargeRunRefusal() {
  return (
    <Typography variant="body2">
      Nothing has been changed. Try again when the run has finished, usually within a few minutes: its drafts
      may change meanwhile, so this page reads the charge again.
    </Typography>
  );
}

/** One cross-charge: who charges whom, its lines, disputes, credit notes, history and comments, and the steps you may take. */
export function ChargeShow() {
  const { id = '' } = useParams<{ id: string }>();
  const { permissions } = usePermissions<Permissions>();
  const notify = useNotify();
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<DialogSpec | null>(null);
  // Not react-admin's getOne: it would first show the list's summary of the charge, which has no lines or disputes.
  const {
    data: charge,
    error,
    isPending,
  } = useQuery({
    queryKey: ['cross-charges', 'detail', id],
    queryFn: ({ signal }) => fetchCharge(id, signal),
    retry: retryUnlessRefused,
  });

  if (isPending) return <Waiting what="the cross-charge" />;
  if (error || !charge) return <Problem error={error} />;

  const actions = chargeActions(charge, permissions);
  const sentence = chargeSentence(charge);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['cross-charges'] });
  const lineName = (lineId: string) => charge.lines.find((l) => l.id === lineId)?.description ?? 'a line';

  const disputeStep = (dispute: Dispute, action: DisputeAction): DialogSpec => ({
    title: `${DISPUTE_STEP[action].label}: “${lineName(dispute.crossChargeLineId)}”`,
    explanation: DISPUTE_STEP[action].explanation(charge),
    confirmLabel: DISPUTE_STEP[action].label,
    askCorrectedNet: action === 'accept',
    reasonLabel: action === 'accept' ? 'Why you accept' : 'Reason',
    onConfirm: ({ reason, idempotencyKey, correctedNetMinor }) =>
      decideDispute(action, dispute.id, reason, idempotencyKey, correctedNetMinor),
    done:
      action === 'accept'
        ? 'Dispute accepted: a credit note was raised'
        : `Dispute: ${DISPUTE_STEP[action].label.toLowerCase()} done`,
  });

  const disputeLineStep = (line: ChargeLine): DialogSpec => ({
    title: `Dispute “${line.description}”`,
    explanation: `${charge.provider.name} is told and decides: accept it (a credit note) or reject it. The charge cannot be approved until then. The line is ${formatMoneyAbsolute(line.gross.amountMinor)} gross.`,
    confirmLabel: 'Dispute the line',
    reasonLabel: 'What is wrong with this line',
    onConfirm: ({ reason, idempotencyKey }) => disputeLine(charge.id, line.id, reason, idempotencyKey),
    done: `Line disputed: ${charge.provider.name} has been told`,
  });

  return (
    <Box sx={{ my: 2 }}>
      <Title title={`Cross-charge ${charge.reference}`} />
      <Stack spacing={2}>
        <Card>
          <CardContent>
            <Typography variant="body2">
              <Link to="/cross-charges">All cross-charges</Link>
            </Typography>
            <Typography component="h1" variant="h5" sx={{ mt: 1 }}>
              {sentence}
            </Typography>
            <Stack direction="row" spacing={1} useFlexGap flexWrap="wrap" sx={{ my: 1 }}>
              <Chip label={CHARGE_STATUS_LABELS[charge.status]} />
              <Chip label={`Reference ${charge.reference}`} variant="outlined" />
              <Chip label={periodName(charge.billingPeriod.key)} variant="outlined" />
            </Stack>
            <SupplementOf charge={charge} />
            <Box sx={{ my: 2 }}>
              <Amounts charge={charge} />
            </Box>
            {seesReconciliation(permissions) && sideOf(charge) !== 'consumer' ? (
              <Typography variant="body2">
                <Link to={reconciliationPath(charge.billingPeriod.id)}>
                  Is everything in {periodName(charge.billingPeriod.key)} charged? See the reconciliation
                </Link>
              </Typography>
            ) : null}
            <Stack direction="row" spacing={1} sx={{ mt: 2 }}>
              {actions.issue && (
                <Button
                  variant="contained"
                  onClick={() =>
                    setDialog({
                      title: `Issue ${charge.reference}?`,
                      explanation: `${sentence}. Issuing posts it to the ledger and tells ${charge.consumer.name}.`,
                      confirmLabel: 'Issue',
                      askReason: false,
                      onConfirm: ({ idempotencyKey }) => issueCharge(charge.id, idempotencyKey),
                      done: 'Charge issued',
                    })
                  }
                >
                  Issue
                </Button>
              )}
              {actions.approve && (
                <Button
                  variant="contained"
                  onClick={() =>
                    setDialog({
                      title: `Approve ${charge.reference}?`,
                      explanation: `${sentence}. Approving agrees the charge; it is settled with the period.`,
                      confirmLabel: 'Approve',
                      askReason: false,
                      onConfirm: ({ idempotencyKey }) => approveCharge(charge.id, idempotencyKey),
                      done: 'Charge approved',
                    })
                  }
                >
                  Approve
                </Button>
              )}
            </Stack>
          </CardContent>
        </Card>

        <ChargeLines
          charge={charge}
          disputableLineIds={actions.disputableLineIds}
          onDispute={(line) => setDialog(disputeLineStep(line))}
        />

        <Card>
          <CardContent>
            <Typography component="h2" variant="h6">
              Disputes
            </Typography>
            {charge.disputes.length === 0 ? (
              <Nothing>No line of this charge has been disputed.</Nothing>
            ) : (
              <MuiList>
                {charge.disputes.map((dispute) => {
                  const steps = disputeActions(charge, dispute, permissions);
                  return (
                    <ListItem
                      key={dispute.id}
                      divider
                      alignItems="flex-start"
                      sx={{ flexDirection: 'column' }}
                      data-testid="dispute"
                    >
                      <ListItemText
                        primary={`“${lineName(dispute.crossChargeLineId)}”: ${DISPUTE_STATUS_LABELS[dispute.status]}`}
                        secondary={
                          <>
                            {`Raised ${formatDateTime(dispute.createdAt)}: ${dispute.reason}`}
                            {dispute.resolution ? (
                              <>
                                <br />
                                {`Decision${dispute.resolvedAt ? ` (${formatDateTime(dispute.resolvedAt)})` : ''}: ${dispute.resolution}`}
                              </>
                            ) : null}
                          </>
                        }
                      />
                      {steps.length > 0 && (
                        <Stack direction="row" spacing={1} useFlexGap flexWrap="wrap">
                          {steps.map((step) => (
                            <Button
                              key={step}
                              size="small"
                              variant={step === 'accept' ? 'contained' : 'outlined'}
                              onClick={() => setDialog(disputeStep(dispute, step))}
                            >
                              {DISPUTE_STEP[step].label}
                            </Button>
                          ))}
                        </Stack>
                      )}
                    </ListItem>
                  );
                })}
              </MuiList>
            )}
          </CardContent>
        </Card>

        <Supplements charge={charge} />

        <ChargeCreditNotes charge={charge} />

        <Card>
          <CardContent>
            <Typography component="h2" variant="h6">
              Status history
            </Typography>
            <MuiList dense>
              {statusHistory(charge).map((step, index) => (
                <ListItem key={index} disableGutters>
                  <ListItemText primary={step.text} secondary={formatDateTime(step.at)} />
                </ListItem>
              ))}
            </MuiList>
          </CardContent>
        </Card>

        <CommentThread charge={charge} mayComment={actions.comment} onAdded={refresh} />
      </Stack>

      {dialog && (
        <ConfirmDialog
          open
          title={dialog.title}
          confirmLabel={dialog.confirmLabel}
          fields={fieldsOf(dialog)}
          onClose={() => setDialog(null)}
          onConfirm={async ({ reason = '', correctedNet = '' }, { idempotencyKey }) => {
            const corrected = correctedNet === '' ? null : parseMoneyInput(correctedNet);
            try {
              await dialog.onConfirm({
                reason,
                idempotencyKey,
                ...(corrected !== null ? { correctedNetMinor: corrected.toString() } : {}),
              });
            } catch (error) {
              // The run may be rewriting this very draft: what is behind the dialog is read again.
              if (problemCode(error) === 'charge-run-in-progress') void refresh();
              throw error;
            }
            notify(dialog.done, { type: 'success' });
            void refresh();
          }}
          afterError={(error) =>
            problemCode(error) === 'charge-run-in-progress' ? <ChargeRunRefusal /> : null
          }
        >
          {dialog.explanation}
        </ConfirmDialog>
      )}
    </Box>
  );
}
