import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import {
  Bar,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { SavingsPoint } from './summary';

const pounds = (value: number) => `£${value.toLocaleString('en-GB', { maximumFractionDigits: 0 })}`;

/**
 * Savings per period (bars) and to date (line). The chart is a picture for sighted readers; the table under it
 * says the same in text, for screen readers and for anyone who wants the figures (so the chart itself takes no
 * keyboard focus).
 */
export function SavingsChart({ points, summary }: { points: SavingsPoint[]; summary: string }) {
  return (
    <Box>
      <Box role="img" aria-label={`Chart of savings by billing period. ${summary}`} sx={{ height: 240 }}>
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart
            accessibilityLayer={false}
            data={points}
            margin={{ top: 8, right: 8, bottom: 0, left: 8 }}
          >
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="periodShort" />
            <YAxis tickFormatter={pounds} width={72} />
            <Tooltip formatter={(value) => pounds(Number(value))} />
            <Legend />
            {/* Drawn at once: a growing chart is motion some people cannot bear, and it says nothing more. */}
            <Bar dataKey="savedPounds" name="Saved in the period" fill="#1d4f91" isAnimationActive={false} />
            <Line
              dataKey="cumulativePounds"
              name="Saved to date"
              stroke="#00703c"
              strokeWidth={2}
              isAnimationActive={false}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </Box>
      <Table size="small" sx={{ mt: 1 }} aria-label="Savings by billing period">
        <TableHead>
          <TableRow>
            <TableCell component="th" scope="col">
              Period
            </TableCell>
            <TableCell component="th" scope="col" align="right">
              Saved in the period
            </TableCell>
            <TableCell component="th" scope="col" align="right">
              Saved to date
            </TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {points.map((point) => (
            <TableRow key={point.period}>
              <TableCell component="th" scope="row">
                {point.period}
              </TableCell>
              <TableCell align="right">{point.savedText}</TableCell>
              <TableCell align="right">{point.cumulativeText}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {points.length === 0 && (
        <Typography variant="body2" color="text.secondary">
          No periods charged yet.
        </Typography>
      )}
    </Box>
  );
}
