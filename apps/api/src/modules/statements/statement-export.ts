import {
  type Currency,
  formatDateForPeople,
  formatDecimal,
  formatMoney,
  VAT_TREATMENT_LABELS,
  type VatTreatment,
} from '@consortium/domain';
import type { StatementDto } from './dto/statement.dto';

/** "2026-11-14" for an instant, as the calendar date in the UK. */
const LONDON_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const ukDate = (at: Date | string | null) =>
  at ? formatDateForPeople(LONDON_DATE.format(new Date(at))) : '';

/** Money as the statement DTOs carry it. */
type MoneyJson = { amountMinor: string; currency: string };

const minor = (money: MoneyJson) => BigInt(money.amountMinor);
/** Pounds with two decimals and no symbol or grouping, as spreadsheets read numbers: "1234.56", "-12.00". */
export const pounds = (amountMinor: bigint) =>
  formatDecimal({ coefficient: amountMinor, scale: 2 }, { minScale: 2 });
const gbp = (money: MoneyJson) =>
  formatMoney({ amountMinor: minor(money), currency: money.currency as Currency });
const vatLabel = (treatment: string) => VAT_TREATMENT_LABELS[treatment as VatTreatment] ?? treatment;

/** A file name fit for Content-Disposition: letters, digits and dashes only. */
export function statementFileName(statement: StatementDto, extension: 'csv' | 'html'): string {
  const slug = statement.organisation.name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `statement-${slug || 'member'}-${statement.billingPeriod.key}.${extension}`;
}

export const CSV_HEADER = [
  'Period',
  'Member',
  'Counterparty',
  'Direction',
  'Document',
  'Reference',
  'Charge reference',
  'Status',
  'Service',
  'Description',
  'Quantity',
  'Unit rate',
  'VAT treatment',
  'Net',
  'VAT',
  'Gross',
  'Date',
];

/**
 * A text cell per RFC 4180 (quoted when it holds a comma, quote or line break), and defused as a spreadsheet
 * formula: text a spreadsheet would evaluate (starting =, +, -, @, tab or CR) is prefixed with an apostrophe.
 */
export function textCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * One row per charge line and per credit note. Amounts are pounds with two decimals; credit notes are negative,
 * so each direction's column sums to what was charged net of credits. UTF-8 with a byte-order mark (so Excel reads
 * the names right) and CRLF line ends.
 */
export function statementCsv(statement: StatementDto): string {
  const direction = (d: 'to_us' | 'from_us') => (d === 'to_us' ? 'Charged to us' : 'Charged by us');
  const rows: string[][] = [];
  for (const charge of statement.charges) {
    for (const line of charge.lines) {
      rows.push([
        textCell(statement.billingPeriod.key),
        textCell(statement.organisation.name),
        textCell(charge.counterparty.name),
        direction(charge.direction),
        'Charge line',
        textCell(charge.reference),
        textCell(charge.reference),
        charge.status,
        textCell(line.serviceTitle),
        textCell(line.description),
        textCell(line.quantity),
        textCell(line.unitRate ?? ''),
        textCell(vatLabel(line.vatTreatment)),
        pounds(minor(line.net)),
        pounds(minor(line.vat)),
        pounds(minor(line.gross)),
        ukDate(charge.issuedAt),
      ]);
    }
  }
  for (const note of statement.creditNotes) {
    rows.push([
      textCell(statement.billingPeriod.key),
      textCell(statement.organisation.name),
      textCell(note.counterparty.name),
      direction(note.direction),
      'Credit note',
      textCell(note.reference),
      textCell(note.chargeReference),
      'credited',
      '',
      textCell(note.reason),
      '',
      '',
      '',
      pounds(-minor(note.net)),
      pounds(-minor(note.vat)),
      pounds(-minor(note.gross)),
      ukDate(note.createdAt),
    ]);
  }
  return `\uFEFF${[CSV_HEADER, ...rows].map((row) => row.join(',')).join('\r\n')}\r\n`;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A printable, self-contained page (no scripts, no external assets), every piece of data escaped. */
export function statementHtml(statement: StatementDto, generatedOn: string): string {
  const e = escapeHtml;
  const money = (m: MoneyJson) => `<td class="num">${e(gbp(m))}</td>`;
  const credit = (m: MoneyJson) =>
    `<td class="num">${e(gbp({ ...m, amountMinor: (-minor(m)).toString() }))}</td>`;
  const { organisation, billingPeriod, totals, settlement } = statement;

  const summaryRows = statement.counterparties
    .map(
      (c) =>
        `<tr><th scope="row">${e(c.counterparty.name)}</th>${money(c.chargesFromUs.gross)}${credit(
          c.creditNotesFromUs.gross,
        )}${money(c.chargesToUs.gross)}${credit(c.creditNotesToUs.gross)}${money(c.netPosition)}<td>${e(
          c.summary,
        )}</td></tr>`,
    )
    .join('\n');

  const chargeSections = statement.charges
    .map((charge) => {
      const lines = charge.lines
        .map(
          (line) =>
            `<tr><td>${e(line.serviceTitle)}</td><td>${e(line.description)}</td><td class="num">${e(
              line.quantity,
            )}</td><td class="num">${line.unitRate ? e(`£${line.unitRate}`) : ''}</td><td>${e(
              vatLabel(line.vatTreatment),
            )}</td>${money(line.net)}${money(line.vat)}${money(line.gross)}</tr>`,
        )
        .join('\n');
      const heading =
        charge.direction === 'from_us'
          ? `${e(charge.reference)}: charged by ${e(organisation.name)} to ${e(charge.counterparty.name)}`
          : `${e(charge.reference)}: charged by ${e(charge.counterparty.name)} to ${e(organisation.name)}`;
      return `<section class="charge">
<h3>${heading}</h3>
<p class="meta">Status: ${e(charge.status)}${charge.issuedAt ? ` · Issued ${e(ukDate(charge.issuedAt))}` : ''}</p>
<table>
<thead><tr><th>Service</th><th>Description</th><th class="num">Quantity</th><th class="num">Unit rate</th><th>VAT</th><th class="num">Net</th><th class="num">VAT</th><th class="num">Gross</th></tr></thead>
<tbody>
${lines}
</tbody>
<tfoot><tr><th colspan="5" scope="row">Total</th>${money(charge.net)}${money(charge.vat)}${money(charge.gross)}</tr></tfoot>
</table>
</section>`;
    })
    .join('\n');

  const creditRows = statement.creditNotes
    .map(
      (note) =>
        `<tr><td>${e(note.reference)}</td><td>${e(note.chargeReference)}</td><td>${e(note.counterparty.name)}</td><td>${e(
          note.reason,
        )}</td><td>${e(ukDate(note.createdAt))}</td>${money(note.net)}${money(note.vat)}${money(note.gross)}</tr>`,
    )
    .join('\n');

  const paymentRows = settlement.payments
    .map(
      (p) =>
        `<tr><td>${e(p.payer.name)} pays ${e(p.payee.name)}</td>${money(p.amount)}<td>${e(
          p.status === 'recorded' ? `Recorded ${ukDate(p.recordedAt)}` : 'Awaiting payment',
        )}</td><td>${e(p.paymentReference ?? '')}</td></tr>`,
    )
    .join('\n');

  return `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Statement: ${e(organisation.name)}, ${e(billingPeriod.label)}</title>
<style>
  :root { color: #0b0c0c; font-family: Arial, Helvetica, sans-serif; font-size: 14px; }
  body { margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
  h1 { font-size: 1.6rem; margin-bottom: 0.25rem; }
  h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 2px solid #0b0c0c; }
  h3 { font-size: 1rem; margin-bottom: 0.25rem; }
  .meta { color: #505a5f; margin: 0 0 0.5rem; }
  .position { font-size: 1.2rem; font-weight: bold; padding: 0.75rem; border-left: 5px solid #1d70b8; background: #f3f2f1; }
  table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
  th, td { border-bottom: 1px solid #b1b4b6; padding: 0.3rem 0.4rem; text-align: left; vertical-align: top; }
  .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
  tfoot th, tfoot td { font-weight: bold; border-top: 2px solid #0b0c0c; }
  @page { size: A4; margin: 15mm; }
  @media print {
    body { margin: 0; max-width: none; font-size: 10pt; }
    h2 { break-after: avoid; }
    section.charge, tr { break-inside: avoid; }
    thead { display: table-header-group; }
  }
</style>
</head>
<body>
<header>
<h1>Statement for ${e(organisation.name)}</h1>
<p class="meta">${e(statement.consortium.name)} · ${e(billingPeriod.label)} (${e(
    formatDateForPeople(billingPeriod.startDate),
  )} to ${e(formatDateForPeople(billingPeriod.endDate))}) · Period ${e(billingPeriod.status)} · Produced ${e(
    formatDateForPeople(generatedOn),
  )}</p>
<p class="position">${e(totals.summary)}</p>
</header>
<h2>Position with each member</h2>
<table>
<thead><tr><th>Counterparty</th><th class="num">Charged by us</th><th class="num">Credited by us</th><th class="num">Charged to us</th><th class="num">Credited to us</th><th class="num">Net</th><th>Who owes whom</th></tr></thead>
<tbody>
${summaryRows || '<tr><td colspan="7">No charges in this period.</td></tr>'}
</tbody>
<tfoot><tr><th scope="row">Total</th>${money(totals.chargesFromUs.gross)}${credit(totals.creditNotesFromUs.gross)}${money(
    totals.chargesToUs.gross,
  )}${credit(totals.creditNotesToUs.gross)}${money(totals.netPosition)}<td>${e(totals.summary)}</td></tr></tfoot>
</table>
<h2>Charges</h2>
${chargeSections || '<p>No charges in this period.</p>'}
<h2>Credit notes</h2>
${
  creditRows
    ? `<table>
<thead><tr><th>Reference</th><th>Against</th><th>Counterparty</th><th>Reason</th><th>Date</th><th class="num">Net</th><th class="num">VAT</th><th class="num">Gross</th></tr></thead>
<tbody>
${creditRows}
</tbody>
</table>`
    : '<p>No credit notes in this period.</p>'
}
<h2>Settlement</h2>
${
  settlement.position
    ? `<p>Net position fixed at close: ${e(gbp(settlement.position))}</p>`
    : '<p>The settlement is worked out when the period closes.</p>'
}
${
  paymentRows
    ? `<table>
<thead><tr><th>Payment</th><th class="num">Amount</th><th>Status</th><th>Remittance reference</th></tr></thead>
<tbody>
${paymentRows}
</tbody>
</table>`
    : ''
}
</body>
</html>
`;
}
