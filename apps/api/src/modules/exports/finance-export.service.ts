import type { Actor } from '@consortium/auth';
import type { LedgerAccountKind } from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { notFound } from '../../common/problem';
import { BillingPeriodRecord } from '../billing-periods/billing-period.entity';
import { findVisiblePeriod } from '../billing-periods/billing-periods.service';
import { Organisation } from '../organisations/organisation.entity';
import { type ExportPosting, financeExportCsv } from './finance-export-csv';
import { LedgerCodesService } from './ledger-codes.service';

export interface FinanceExportFile {
  fileName: string;
  csv: string;
}

interface PostingRow {
  posting_id: string;
  posted_on: string;
  journal_entry_id: string;
  entry_kind: string;
  description: string;
  counterparty_id: string | null;
  counterparty_name: string | null;
  service_category: string | null;
  account_kind: LedgerAccountKind;
  amount_minor: string;
  currency: string;
}

/** A file name fit for Content-Disposition: letters, digits and dashes only. */
const slug = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'member';

/**
 * The finance-system export: an organisation's postings in a billing period, coded with its own cost centres
 * and ledger codes. `exportPeriodCsv` serves the API (the caller's own organisation); `csvForOrganisation` is for
 * trusted callers such as the operators' CLI, which choose the organisation themselves.
 */
@Injectable()
export class FinanceExportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledgerCodes: LedgerCodesService,
  ) {}

  /** The caller organisation's export; a period of a consortium it cannot see is not found. */
  async exportPeriodCsv(actor: Actor, periodId: string): Promise<FinanceExportFile> {
    const period = await findVisiblePeriod(this.dataSource.manager, actor, periodId);
    return this.csvForOrganisation(period.id, actor.organisationId);
  }

  /** No authorisation here: the caller decides whose export it may produce. */
  async csvForOrganisation(periodId: string, organisationId: string): Promise<FinanceExportFile> {
    // One repeatable-read snapshot, so the rules and the postings are read as of the same moment.
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const period = await manager.findOneBy(BillingPeriodRecord, { id: periodId });
      if (!period) throw notFound('Billing period');
      const organisation = await manager.findOneBy(Organisation, { id: organisationId });
      if (!organisation) throw notFound('Organisation');
      const rules = await this.ledgerCodes.rulesFor(manager, organisationId);
      const postings = await this.postings(manager, periodId, organisationId);
      return {
        fileName: `finance-export-${slug(organisation.name)}-${period.key}.csv`,
        csv: financeExportCsv(period.key, rules, postings),
      };
    });
  }

  private async postings(
    manager: EntityManager,
    periodId: string,
    organisationId: string,
  ): Promise<ExportPosting[]> {
    // The service category comes from the charge behind the entry (a credit note's own line, or its charge's):
    // only when every line is in one category, since a posting is one amount for the whole charge.
    const rows = await manager.query<PostingRow[]>(
      `SELECT p.id AS posting_id,
              to_char(p.created_at AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS posted_on,
              je.id AS journal_entry_id, je.kind AS entry_kind, je.description,
              p.counterparty_organisation_id AS counterparty_id, cp.name AS counterparty_name,
              a.kind AS account_kind, p.amount_minor::text AS amount_minor, p.currency,
              CASE je.source_type
                WHEN 'cross_charge' THEN
                  (SELECT CASE WHEN count(DISTINCT s.category) = 1 THEN min(s.category::text) END
                     FROM cross_charge_lines l JOIN services s ON s.id = l.service_id
                    WHERE l.cross_charge_id = je.source_id::uuid)
                WHEN 'credit_note' THEN
                  (SELECT CASE WHEN count(DISTINCT s.category) = 1 THEN min(s.category::text) END
                     FROM credit_notes cn
                     JOIN cross_charge_lines l
                       ON l.cross_charge_id = cn.cross_charge_id
                      AND (cn.cross_charge_line_id IS NULL OR l.id = cn.cross_charge_line_id)
                     JOIN services s ON s.id = l.service_id
                    WHERE cn.id = je.source_id::uuid)
              END AS service_category
         FROM postings p
         JOIN ledger_accounts a ON a.id = p.account_id
         JOIN journal_entries je ON je.id = p.journal_entry_id
         LEFT JOIN organisations cp ON cp.id = p.counterparty_organisation_id
        WHERE p.billing_period_id = $1 AND a.organisation_id = $2
        ORDER BY p.created_at, p.id`,
      [periodId, organisationId],
    );
    return rows.map((row) => ({
      postingId: row.posting_id,
      postedOn: row.posted_on,
      journalEntryId: row.journal_entry_id,
      entryKind: row.entry_kind,
      description: row.description,
      counterpartyId: row.counterparty_id,
      counterpartyName: row.counterparty_name,
      serviceCategory: row.service_category,
      accountKind: row.account_kind,
      amountMinor: BigInt(row.amount_minor),
      currency: row.currency,
    }));
  }
}
