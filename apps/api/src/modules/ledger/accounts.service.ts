import { type Actor } from '@consortium/auth';
import { billingPeriodFromKey, billingPeriodLabel, type BillingPeriodStatus } from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type Page, paginateRows, type SortSpec } from '../../common/pagination';
import { forbidden, notFound } from '../../common/problem';
import { administers, canSeeConsortium } from '../consortia/consortium-access';
import {
  AccountBalanceDto,
  AccountDto,
  AccountEntryDto,
  AccountEntryListQuery,
  AccountPeriodBalanceDto,
} from './dto/account.dto';

/** In posting order (the posting id), which is also the order of the running balance. */
const ENTRY_SORT: SortSpec = {
  fields: { postedAt: 'e.id' },
  default: 'postedAt',
  tieBreaker: 'e.id',
};

interface BalanceRow {
  billing_period_id: string;
  key: string;
  status: BillingPeriodStatus;
  start_date: string;
  end_date: string;
  kind: 'receivable' | 'payable';
  balance_minor: string;
  posting_count: number;
}

interface EntryRow extends Record<string, unknown> {
  id: string;
  journal_entry_id: string;
  kind: AccountEntryDto['kind'];
  description: string;
  source_type: string;
  source_id: string;
  reverses_entry_id: string | null;
  billing_period_id: string;
  billing_period_key: string;
  account_kind: AccountEntryDto['accountKind'];
  counterparty_organisation_id: string | null;
  counterparty_name: string | null;
  amount_minor: string;
  currency: string;
  running_balance_minor: string;
  created_at: Date;
}

const ROLES_THAT_SEE_ACCOUNTS = ['finance', 'org_admin'] as const;

/**
 * A member's accounts in a consortium's ledger. Balances come from account_balances (kept by the posting trigger),
 * never from summing postings; the entries list reads the member's own postings only.
 */
@Injectable()
export class AccountsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async account(actor: Actor, consortiumId: string, organisationId: string): Promise<AccountDto> {
    const { organisationName, currency } = await this.authorise(actor, consortiumId, organisationId);
    const rows = (await this.dataSource.query(
      `SELECT b.billing_period_id, bp.key, bp.status, bp.start_date::text AS start_date,
              bp.end_date::text AS end_date, a.kind, b.balance_minor::text AS balance_minor, b.posting_count
         FROM ledger_accounts a
         JOIN account_balances b ON b.account_id = a.id
         JOIN billing_periods bp ON bp.id = b.billing_period_id
        WHERE a.consortium_id = $1 AND a.organisation_id = $2
        ORDER BY bp.start_date, bp.id`,
      [consortiumId, organisationId],
    )) as BalanceRow[];

    const periods = new Map<string, AccountPeriodBalanceDto>();
    const total = emptyBalance();
    for (const row of rows) {
      let period = periods.get(row.billing_period_id);
      if (!period) {
        period = {
          billingPeriodId: row.billing_period_id,
          key: row.key,
          label: billingPeriodLabel(billingPeriodFromKey(row.key)),
          status: row.status,
          startDate: row.start_date,
          endDate: row.end_date,
          ...emptyBalance(),
        };
        periods.set(row.billing_period_id, period);
      }
      addTo(period, row);
      addTo(total, row);
    }
    return {
      consortiumId,
      organisationId,
      organisationName,
      currency,
      toDate: total,
      periods: [...periods.values()],
    };
  }

  async entries(
    actor: Actor,
    consortiumId: string,
    organisationId: string,
    query: AccountEntryListQuery,
  ): Promise<Page<AccountEntryDto>> {
    await this.authorise(actor, consortiumId, organisationId);
    const filters = [
      query.billingPeriodId ? 'AND p.billing_period_id = :billingPeriodId' : '',
      query.counterpartyId ? 'AND p.counterparty_organisation_id = :counterpartyId' : '',
    ].join(' ');
    // The window runs over the filtered postings before paging, so the running balance is the same on every page.
    const postings = `
      SELECT p.id, p.journal_entry_id, je.kind, je.description, je.source_type, je.source_id, je.reverses_entry_id,
             p.billing_period_id, bp.key AS billing_period_key, a.kind AS account_kind,
             p.counterparty_organisation_id, o.name AS counterparty_name, p.amount_minor, p.currency, p.created_at,
             sum(p.amount_minor) OVER (PARTITION BY p.currency ORDER BY p.id) AS running_balance_minor
        FROM ledger_accounts a
        JOIN postings p ON p.account_id = a.id
        JOIN journal_entries je ON je.id = p.journal_entry_id
        JOIN billing_periods bp ON bp.id = p.billing_period_id
        LEFT JOIN organisations o ON o.id = p.counterparty_organisation_id
       WHERE a.consortium_id = :consortiumId AND a.organisation_id = :organisationId ${filters}`;
    const rows = this.dataSource.createQueryBuilder().select('e.*').from(`(${postings})`, 'e').setParameters({
      consortiumId,
      organisationId,
      billingPeriodId: query.billingPeriodId,
      counterpartyId: query.counterpartyId,
    });
    return paginateRows<EntryRow, AccountEntryDto>(rows, query, ENTRY_SORT, (row) => ({
      id: String(row.id),
      journalEntryId: row.journal_entry_id,
      kind: row.kind,
      description: row.description,
      sourceType: row.source_type,
      sourceId: row.source_id,
      reversesEntryId: row.reverses_entry_id,
      billingPeriodId: row.billing_period_id,
      billingPeriodKey: row.billing_period_key,
      accountKind: row.account_kind,
      counterpartyOrganisationId: row.counterparty_organisation_id,
      counterpartyName: row.counterparty_name,
      amountMinor: String(row.amount_minor),
      currency: row.currency.trim(),
      runningBalanceMinor: String(row.running_balance_minor),
      postedAt: row.created_at,
    }));
  }

  /**
   * The member's own finance and org_admin users and API keys (ledger:read), and the consortium's administrators,
   * see an account; anyone else who can see the consortium gets 404 for another member's account (its figures are
   * not theirs to know) and 403 for their own without the role; everyone else 404.
   */
  private async authorise(
    actor: Actor,
    consortiumId: string,
    organisationId: string,
  ): Promise<{ organisationName: string; currency: string }> {
    if (!canSeeConsortium(actor, consortiumId)) throw notFound('Account');
    const isAdmin = administers(actor, consortiumId);
    if (!isAdmin && actor.organisationId !== organisationId) throw notFound('Account');
    if (!isAdmin && actor.kind === 'user' && !ROLES_THAT_SEE_ACCOUNTS.some((r) => actor.roles.includes(r))) {
      throw forbidden("Only the member's finance and administrators see its account");
    }
    const [member] = (await this.dataSource.query(
      `SELECT o.name, c.currency FROM consortium_memberships m
         JOIN organisations o ON o.id = m.organisation_id JOIN consortia c ON c.id = m.consortium_id
        WHERE m.consortium_id = $1 AND m.organisation_id = $2 AND m.status IN ('active', 'suspended', 'left')`,
      [consortiumId, organisationId],
    )) as { name: string; currency: string }[];
    if (!member) throw notFound('Account');
    return { organisationName: member.name, currency: member.currency.trim() };
  }
}

function emptyBalance(): AccountBalanceDto {
  return { receivableMinor: '0', payableMinor: '0', netMinor: '0', postingCount: 0 };
}

function addTo(balance: AccountBalanceDto, row: BalanceRow): void {
  const amount = BigInt(row.balance_minor);
  if (row.kind === 'receivable')
    balance.receivableMinor = (BigInt(balance.receivableMinor) + amount).toString();
  else balance.payableMinor = (BigInt(balance.payableMinor) + amount).toString();
  balance.netMinor = (BigInt(balance.netMinor) + amount).toString();
  balance.postingCount += row.posting_count;
}
