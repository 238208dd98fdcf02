import {
  Alert,
  Button,
  Card,
  CardContent,
  List as MuiList,
  ListItem,
  Stack,
  Typography,
} from '@mui/material';
import { useState } from 'react';
import {
  Datagrid,
  FunctionField,
  ReferenceInput,
  SelectInput,
  Show,
  TextField,
  useNotify,
  useRecordContext,
  useRedirect,
} from 'react-admin';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { formatDate, formatDateTime } from '../format/date';
import { periodName } from '../format/period';
import { DISPUTE_STATUS_LABELS } from '../finance/words';
import { formatMoneyAbsolute, parseMoneyInput } from '../format/money';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ScrollX } from './ScrollX';
import { type AdministeredConsortium, InConsortium } from './InConsortium';
import { type EscalatedDispute, RESOURCES } from './resources';
import { ShowLink } from './ShowLink';
import { ApiList } from '../layout/ListProblem';

function Disputes({ consortium }: { consortium: AdministeredConsortium }) {
  return (
    <ApiList
      resource={RESOURCES.disputes}
      title={`Escalated disputes in ${consortium.name}`}
      filter={{ consortiumId: consortium.id }}
      filters={[
        <ReferenceInput
          key="period"
          source="billingPeriodId"
          reference={RESOURCES.periods}
          filter={{ consortiumId: consortium.id }}
          sort={{ field: 'startDate', order: 'DESC' }}
          alwaysOn
        >
          <SelectInput label="Billing period" optionText="label" />
        </ReferenceInput>,
      ]}
      sort={{ field: 'createdAt', order: 'DESC' }}
      empty={false}
      actions={false}
    >
      {/* A phone scrolls the table, not the page. */}
      <ScrollX>
        <Datagrid
          bulkActionButtons={false}
          rowClick="show"
          empty={
            <Typography sx={{ p: 2 }} color="text.secondary">
              No dispute is waiting for a consortium administrator&apos;s decision.
            </Typography>
          }
        >
          <FunctionField
            label="Charge"
            sortBy="reference"
            render={(d: EscalatedDispute) => (
              <ShowLink resource={RESOURCES.disputes} id={d.id}>
                {d.reference}
              </ShowLink>
            )}
          />
          <FunctionField
            label="Between"
            sortable={false}
            render={(d: EscalatedDispute) => (
              <>
                {d.consumerName} disputes {d.providerName}&apos;s charge
                {d.ourSide ? (
                  <Typography variant="body2" color="text.secondary">
                    Your organisation is a party: another administrator decides
                  </Typography>
                ) : null}
              </>
            )}
          />
          <TextField source="serviceTitle" label="Service" sortable={false} />
          <FunctionField
            label="Line (net)"
            sortable={false}
            render={(d: EscalatedDispute) => formatMoneyAbsolute(d.lineNetMinor)}
          />
          <TextField source="reason" label="Reason" sortable={false} />
          <FunctionField
            label="Charge (gross)"
            sortBy="grossMinor"
            render={(d: EscalatedDispute) => formatMoneyAbsolute(d.chargeGrossMinor)}
          />
          <FunctionField
            label="Disputed on"
            sortable={false}
            render={(d: EscalatedDispute) => formatDate(d.raisedAt)}
          />
        </Datagrid>
      </ScrollX>
    </ApiList>
  );
}

/** Disputes a party has handed to the consortium's administrators, awaiting uphold or dismiss. */
export function EscalatedDisputesList() {
  return <InConsortium>{(consortium) => <Disputes consortium={consortium} />}</InConsortium>;
}

type Decision = 'uphold' | 'dismiss';

function Decide({ dispute }: { dispute: EscalatedDispute }) {
  const [decision, setDecision] = useState<Decision | null>(null);
  const notify = useNotify();
  const redirect = useRedirect();
  const line = formatMoneyAbsolute(dispute.lineNetMinor);
  return (
    <Stack direction="row" spacing={2} useFlexGap flexWrap="wrap">
      <Button variant="contained" onClick={() => setDecision('uphold')}>
        Uphold
      </Button>
      <Button variant="outlined" color="error" onClick={() => setDecision('dismiss')}>
        Dismiss
      </Button>
      {decision ? (
        <ConfirmDialog
          open
          title={decision === 'uphold' ? 'Uphold the dispute' : 'Dismiss the dispute'}
          confirmLabel={decision === 'uphold' ? 'Uphold' : 'Dismiss'}
          fields={[
            ...(decision === 'uphold'
              ? [
                  {
                    name: 'credit',
                    label: 'Credit (net, optional)',
                    kind: 'money' as const,
                    helperText: `Leave empty to credit the whole line, ${line}`,
                    validate: (value: string) => {
                      const pence = parseMoneyInput(value);
                      if (pence === null || pence <= 0n) return 'Enter an amount in pounds, such as 250.00.';
                      return pence > BigInt(dispute.lineNetMinor) ? `At most the line's ${line}.` : undefined;
                    },
                  },
                ]
              : []),
            {
              name: 'reason',
              label: 'Reason',
              kind: 'multiline',
              required: true,
              helperText: 'Both members read it; it stays in the charge’s comment thread',
              validate: (value: string) =>
                value.length < 3 ? 'Say a little more (3 characters at least).' : undefined,
            },
          ]}
          onClose={() => setDecision(null)}
          onConfirm={async ({ reason, credit }, { idempotencyKey }) => {
            // The dialog's key: confirming again after a failure retries this decision, never takes a second one.
            const params = { path: { id: dispute.disputeId }, header: { 'Idempotency-Key': idempotencyKey } };
            if (decision === 'uphold') {
              const creditNetMinor = credit ? parseMoneyInput(credit)?.toString() : undefined;
              unwrap(
                await api.POST('/api/v1/disputes/{id}/uphold', {
                  params,
                  body: { reason, ...(creditNetMinor ? { creditNetMinor } : {}) },
                }),
              );
              notify(`Upheld: ${dispute.providerName} credits ${dispute.consumerName}`, { type: 'success' });
            } else {
              unwrap(await api.POST('/api/v1/disputes/{id}/dismiss', { params, body: { reason } }));
              notify(`Dismissed: ${dispute.reference} stands as charged`, { type: 'success' });
            }
            redirect('list', RESOURCES.disputes);
          }}
        >
          {decision === 'uphold'
            ? `${dispute.providerName} will issue a credit note to ${dispute.consumerName} for this line (${line} net) or the part you give, posted to the ledger.`
            : `The line stands as charged (${line} net) and ${dispute.consumerName} is told why.`}
        </ConfirmDialog>
      ) : null}
    </Stack>
  );
}

/** An administrator whose organisation is a party may not decide (the API refuses it too): someone else must. */
function ConflictOfInterest({ dispute }: { dispute: EscalatedDispute }) {
  const ours = dispute.ourSide === 'provider' ? dispute.providerName : dispute.consumerName;
  return (
    <Alert severity="info">
      Your organisation, {ours}, is the {dispute.ourSide} of this charge, so you may not decide this dispute:
      that would be a conflict of interest. Another administrator of the consortium decides it.
    </Alert>
  );
}

function DisputePage() {
  const dispute = useRecordContext<EscalatedDispute>();
  if (!dispute) return null;
  return (
    <Card>
      <CardContent>
        <Stack spacing={2}>
          <Typography component="h1" variant="h5">
            {dispute.consumerName} disputes {dispute.providerName}&apos;s charge {dispute.reference}
          </Typography>
          <Typography>
            {periodName(dispute.periodKey)} · {dispute.serviceTitle}: {dispute.lineDescription} ·{' '}
            {formatMoneyAbsolute(dispute.lineNetMinor)} net
          </Typography>
          <Typography component="h2" variant="subtitle1">
            Why {dispute.consumerName} disputes it
          </Typography>
          <Typography>{dispute.reason}</Typography>
          {dispute.comments.length > 0 ? (
            <>
              <Typography component="h2" variant="subtitle1">
                What has been said
              </Typography>
              <MuiList dense disablePadding>
                {dispute.comments.map((comment) => (
                  <ListItem key={comment.id} disableGutters sx={{ display: 'block' }}>
                    <Typography variant="body2" color="text.secondary">
                      {comment.authorLabel}, {formatDateTime(comment.createdAt)}
                    </Typography>
                    <Typography variant="body2">{comment.body}</Typography>
                  </ListItem>
                ))}
              </MuiList>
            </>
          ) : null}
          {dispute.status === 'escalated' ? (
            dispute.ourSide ? (
              <ConflictOfInterest dispute={dispute} />
            ) : (
              <Decide dispute={dispute} />
            )
          ) : (
            <Alert severity="info">
              {DISPUTE_STATUS_LABELS[dispute.status]}.
              {dispute.resolution ? ` ${dispute.resolution.replace(/([^.!?])$/, '$1.')}` : ''}
            </Alert>
          )}
        </Stack>
      </CardContent>
    </Card>
  );
}

export function EscalatedDisputeShow() {
  return (
    <Show title="Escalated dispute" actions={false} component="div">
      <DisputePage />
    </Show>
  );
}
