import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import type { components } from '../api/schema';
import { formatAmount } from '../format/money';
import { formatDateRange } from '../format/date';
import { formatPounds, formatQuantity } from './price-plan-text';

type Quote = components['schemas']['QuoteDto'];
type Line = components['schemas']['QuoteLineDto'];

const PERIOD_WORD = { monthly: 'month', quarterly: 'quarter' } as const;

function LineRow({ line }: { line: Line }) {
  return (
    <TableRow>
      <TableCell>{line.description}</TableCell>
      <TableCell align="right">{formatQuantity(line.quantity)}</TableCell>
      <TableCell align="right">{formatPounds(line.unitRate)}</TableCell>
      <TableCell align="right">{formatAmount(line.amount)}</TableCell>
    </TableRow>
  );
}

/** A quote as a person checks it before committing: each charge line, the period's total, VAT, the set-up fee. */
export function QuoteView({ quote }: { quote: Quote }) {
  const period = PERIOD_WORD[quote.period.cycle];
  const total = quote.periodTotals;
  const first = quote.firstPeriodTotals;
  const vat = total.vat.amountMinor !== '0';
  return (
    <Box data-testid="quote" aria-live="polite">
      <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 600 }}>
        {formatAmount(total.gross)} per {period}
        {vat ? ` including VAT of ${formatAmount(total.vat)}` : ''}
      </Typography>
      <Typography variant="body2" color="text.secondary" gutterBottom>
        Priced under price version {quote.priceVersion} for a full {period} ({quote.period.label},{' '}
        {formatDateRange(quote.period.startDate, quote.period.endDate)}); a part {period} is charged pro rata.
      </Typography>
      <Box sx={{ overflowX: 'auto' }}>
        <Table size="small" aria-label="Price breakdown">
          <TableHead>
            <TableRow>
              <TableCell>Charge</TableCell>
              <TableCell align="right">Quantity</TableCell>
              <TableCell align="right">Rate</TableCell>
              <TableCell align="right">Amount</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {quote.lines.map((line) => (
              <LineRow key={line.key} line={line} />
            ))}
            {quote.setupFee ? <LineRow line={quote.setupFee} /> : null}
          </TableBody>
        </Table>
      </Box>
      {quote.setupFee ? (
        <Typography variant="body2" sx={{ mt: 1 }}>
          Your first full {period}, with the one-off set-up fee: <strong>{formatAmount(first.gross)}</strong>.
        </Typography>
      ) : null}
    </Box>
  );
}
