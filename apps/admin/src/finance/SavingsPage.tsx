import { Box, Card, CardContent, Stack, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ArrayField, Datagrid, FunctionField, RecordContextProvider, Title } from 'react-admin';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatAmount } from '../format/money';
import { periodName, periodShortName } from '../format/period';
import { ConsortiumPicker } from './ConsortiumPicker';
import { fetchSavings, type MemberSavings } from './finance-api';
import { Nothing, Problem, Waiting, WideTable } from './FinanceStates';
import { retryUnlessRefused, useMyConsortia } from './useConsortia';
import { poundsForChart, savingsPhrase } from './words';

type PeriodSavings = MemberSavings['byPeriod'][number];
type SubscriptionSavings = MemberSavings['subscriptions'][number];

const percentage = (p: string | null | undefined) => (p == null ? '—' : `${p}%`);

/**
 * Baseline against what was charged, per period, as a bar chart. The chart is drawn for the eye only: the same
 * figures are in the table beside it, and the image is described in words for screen readers.
 */
function SavingsChart({ savings }: { savings: MemberSavings }) {
  const data = savings.byPeriod.map((p) => ({
    period: periodShortName(p.key),
    baseline: poundsForChart(p.baseline.amountMinor),
    charged: poundsForChart(p.charged.amountMinor),
  }));
  const description =
    `Bar chart of the in-house baseline against what ${savings.organisation.name} was charged, per billing period: ` +
    savings.byPeriod
      .map(
        (p) =>
          `${periodName(p.key)}, baseline ${formatAmount(p.baseline)}, charged ${formatAmount(p.charged)}`,
      )
      .join('; ') +
    '.';
  return (
    <Box role="img" aria-label={description} sx={{ width: '100%', height: 300 }}>
      <ResponsiveContainer>
        <BarChart data={data} accessibilityLayer={false} margin={{ left: 16, right: 16 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="period" />
          <YAxis tickFormatter={(value: number) => `£${value.toLocaleString('en-GB')}`} width={90} />
          <Tooltip
            formatter={(value) =>
              `£${Number(value).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
            }
          />
          <Legend />
          {/* Drawn at once, as the dashboard's chart is: growing bars are motion that says nothing more. */}
          <Bar dataKey="baseline" name="In-house baseline" fill="#5c6bc0" isAnimationActive={false} />
          <Bar dataKey="charged" name="Charged" fill="#26a69a" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </Box>
  );
}

function SavingsReport({ savings }: { savings: MemberSavings }) {
  const name = savings.organisation.name;
  if (savings.subscriptions.length === 0) {
    return (
      <Nothing>
        {name} has no subscriptions with an in-house baseline yet, so there are no savings to report.
      </Nothing>
    );
  }
  return (
    <Stack spacing={2}>
      <Card>
        <CardContent>
          <Typography component="h2" variant="h6">
            Savings to date
          </Typography>
          <Typography variant="h5" component="p" sx={{ my: 1 }} data-testid="savings-to-date">
            {savingsPhrase(name, savings.toDate, 'these services')}
          </Typography>
          <Typography variant="body2" color="text.secondary">
            Baseline {formatAmount(savings.toDate.baseline)}; charged {formatAmount(savings.toDate.charged)}{' '}
            (after credit notes).
          </Typography>
        </CardContent>
      </Card>
      <Card>
        <CardContent>
          <Typography component="h2" variant="h6" gutterBottom>
            By period
          </Typography>
          <SavingsChart savings={savings} />
          <RecordContextProvider value={savings}>
            <WideTable label="Savings by period">
              <ArrayField source="byPeriod">
                <Datagrid bulkActionButtons={false} rowClick={false}>
                  <FunctionField<PeriodSavings>
                    label="Period"
                    sortable={false}
                    render={(p) => periodName(p.key)}
                  />
                  <FunctionField<PeriodSavings>
                    label="Baseline"
                    textAlign="right"
                    render={(p) => formatAmount(p.baseline)}
                  />
                  <FunctionField<PeriodSavings>
                    label="Charged"
                    textAlign="right"
                    render={(p) => formatAmount(p.charged)}
                  />
                  <FunctionField<PeriodSavings>
                    label="Savings"
                    textAlign="right"
                    render={(p) => formatAmount(p.savings)}
                  />
                  <FunctionField<PeriodSavings>
                    label="Share of baseline"
                    textAlign="right"
                    render={(p) => percentage(p.savingsPercentage)}
                  />
                </Datagrid>
              </ArrayField>
            </WideTable>
          </RecordContextProvider>
        </CardContent>
      </Card>
      <Card>
        <CardContent>
          <Typography component="h2" variant="h6">
            By subscription
          </Typography>
          <RecordContextProvider value={savings}>
            <WideTable label="Savings by subscription">
              <ArrayField source="subscriptions">
                <Datagrid bulkActionButtons={false} rowClick={false}>
                  <FunctionField<SubscriptionSavings> label="Service" render={(s) => s.service.name} />
                  <FunctionField<SubscriptionSavings> label="Provider" render={(s) => s.provider.name} />
                  <FunctionField<SubscriptionSavings>
                    label="Baseline a year"
                    textAlign="right"
                    render={(s) => formatAmount(s.baselineAnnual)}
                  />
                  <FunctionField<SubscriptionSavings>
                    label="Baseline to date"
                    textAlign="right"
                    render={(s) => formatAmount(s.toDate.baseline)}
                  />
                  <FunctionField<SubscriptionSavings>
                    label="Charged to date"
                    textAlign="right"
                    render={(s) => formatAmount(s.toDate.charged)}
                  />
                  <FunctionField<SubscriptionSavings>
                    label="Savings"
                    render={(s) => savingsPhrase('We', s.toDate)}
                  />
                </Datagrid>
              </ArrayField>
            </WideTable>
          </RecordContextProvider>
        </CardContent>
      </Card>
    </Stack>
  );
}

/** The member's savings report: what it would pay to run each service in-house against what it was charged. */
export function SavingsPage() {
  const consortia = useMyConsortia();
  const [chosen, setChosen] = useState<string | null>(null);
  const consortiumId = chosen ?? consortia.data?.consortia[0]?.id;
  const savings = useQuery({
    queryKey: ['finance', 'savings', consortiumId],
    enabled: consortiumId !== undefined,
    queryFn: ({ signal }) => fetchSavings(consortiumId as string, signal),
    retry: retryUnlessRefused,
  });

  let body;
  if (consortia.error) body = <Problem error={consortia.error} />;
  else if (!consortia.data) body = <Waiting what="savings" />;
  else if (!consortiumId)
    body = <Nothing>Your organisation is not an active member of any consortium yet.</Nothing>;
  else if (savings.error) body = <Problem error={savings.error} />;
  else if (!savings.data) body = <Waiting what="savings" />;
  else body = <SavingsReport savings={savings.data} />;

  return (
    <Box sx={{ my: 2 }}>
      <Title title="Savings" />
      <Stack spacing={2}>
        <Typography component="h1" variant="h5">
          Savings
        </Typography>
        {consortia.data && consortiumId && (
          <ConsortiumPicker consortia={consortia.data.consortia} value={consortiumId} onChange={setChosen} />
        )}
        {body}
      </Stack>
    </Box>
  );
}
