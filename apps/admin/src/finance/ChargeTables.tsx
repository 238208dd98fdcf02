import { Button, Card, CardContent, Typography } from '@mui/material';
import { ArrayField, Datagrid, FunctionField, RecordContextProvider, TextField } from 'react-admin';
import type { components } from '../api/schema';
import { formatDateTime } from '../format/date';
import { formatAmount } from '../format/money';
import { Nothing, WideTable } from './FinanceStates';
import {
  type ChargeLine,
  creditNoteSentence,
  type CrossChargeDetail,
  formatQuantity,
  formatRate,
  usageText,
  withMetricNames,
} from './words';

type CreditNote = components['schemas']['CreditNoteDto'];

/** The charge's lines: what was charged for which subscription, how it was computed, and a dispute per line. */
export function ChargeLines({
  charge,
  disputableLineIds,
  onDispute,
}: {
  charge: CrossChargeDetail;
  disputableLineIds: string[];
  onDispute: (line: ChargeLine) => void;
}) {
  return (
    <Card>
      <CardContent>
        <Typography component="h2" variant="h6">
          Lines
        </Typography>
        <RecordContextProvider value={charge}>
          <WideTable label="Charge lines">
            <ArrayField source="lines">
              <Datagrid
                bulkActionButtons={false}
                rowClick={false}
                empty={<Nothing>This charge has no lines.</Nothing>}
              >
                <TextField source="serviceTitle" label="Service" sortable={false} />
                <FunctionField<ChargeLine>
                  label="Subscription"
                  render={(line) => `${charge.consumer.name}’s, price version ${line.priceVersion}`}
                />
                <FunctionField<ChargeLine>
                  label="Line"
                  render={(line) => withMetricNames(line.description)}
                />
                <FunctionField<ChargeLine>
                  label="Quantity"
                  textAlign="right"
                  render={(l) => formatQuantity(l.quantity)}
                />
                <FunctionField<ChargeLine>
                  label="Rate"
                  textAlign="right"
                  render={(l) => formatRate(l.unitRate)}
                />
                <FunctionField<ChargeLine>
                  label="Amount (net)"
                  textAlign="right"
                  render={(l) => formatAmount(l.net)}
                />
                <FunctionField<ChargeLine>
                  label="Gross"
                  textAlign="right"
                  render={(l) => formatAmount(l.gross)}
                />
                <FunctionField<ChargeLine>
                  label="Credited"
                  textAlign="right"
                  render={(l) => (BigInt(l.credited.amountMinor) === 0n ? '—' : formatAmount(l.credited))}
                />
                <FunctionField<ChargeLine> label="Usage" render={(l) => usageText(l.detail) ?? '—'} />
                {disputableLineIds.length > 0 && (
                  <FunctionField<ChargeLine>
                    label="Review"
                    render={(line) =>
                      disputableLineIds.includes(line.id) ? (
                        <Button
                          size="small"
                          variant="outlined"
                          aria-label={`Dispute “${line.description}”`}
                          onClick={() => onDispute(line)}
                        >
                          Dispute
                        </Button>
                      ) : (
                        'Disputed'
                      )
                    }
                  />
                )}
              </Datagrid>
            </ArrayField>
          </WideTable>
        </RecordContextProvider>
      </CardContent>
    </Card>
  );
}

/** The credit notes raised against the charge, each saying who credits whom. */
export function ChargeCreditNotes({ charge }: { charge: CrossChargeDetail }) {
  const lineName = (lineId: string) => charge.lines.find((l) => l.id === lineId)?.description ?? 'a line';
  return (
    <Card>
      <CardContent>
        <Typography component="h2" variant="h6">
          Credit notes
        </Typography>
        <RecordContextProvider value={charge}>
          <WideTable label="Credit notes">
            <ArrayField source="creditNotes">
              <Datagrid
                bulkActionButtons={false}
                rowClick={false}
                empty={<Nothing>No credit notes have been raised against this charge.</Nothing>}
              >
                <TextField source="reference" label="Credit note" sortable={false} />
                <FunctionField<CreditNote>
                  label="Line"
                  render={(note) =>
                    note.crossChargeLineId ? lineName(note.crossChargeLineId) : 'Whole charge'
                  }
                />
                <TextField source="reason" label="Reason" sortable={false} />
                <FunctionField<CreditNote>
                  label="Credit (gross)"
                  textAlign="right"
                  render={(note) =>
                    creditNoteSentence({
                      provider: charge.provider,
                      consumer: charge.consumer,
                      gross: note.gross,
                    })
                  }
                />
                <FunctionField<CreditNote> label="Raised" render={(note) => formatDateTime(note.createdAt)} />
              </Datagrid>
            </ArrayField>
          </WideTable>
        </RecordContextProvider>
      </CardContent>
    </Card>
  );
}
