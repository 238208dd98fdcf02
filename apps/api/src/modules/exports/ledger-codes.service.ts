import type { Actor } from '@consortium/auth';
import { JOURNAL_ENTRY_KINDS, LEDGER_ACCOUNT_KINDS, SERVICE_CATEGORIES } from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { invalid, notFound, type ProblemFieldError } from '../../common/problem';
import { AuditService } from '../audit/audit.service';
import { Organisation } from '../organisations/organisation.entity';
import { onlyVisibleOrganisations } from '../organisations/organisation-visibility';
import type { LedgerCodeMappingDto, LedgerCodesDto } from './dto/ledger-codes.dto';
import { LedgerCodeMapping } from './ledger-code-mapping.entity';

/** A cost centre and ledger code in the organisation's own finance system. */
export interface LedgerCode {
  costCentre: string;
  ledgerCode: string;
}

/** An organisation's rules, indexed for coding postings: `rules.get('counterparty')?.get(orgId)`. */
export type LedgerCodeRules = Map<LedgerCodeMapping['match'], Map<string, LedgerCode>>;

const VALUES: Partial<Record<LedgerCodeMapping['match'], readonly string[]>> = {
  account_kind: LEDGER_ACCOUNT_KINDS,
  entry_kind: JOURNAL_ENTRY_KINDS,
  service_category: SERVICE_CATEGORIES,
};

const toDto = (row: LedgerCodeMapping): LedgerCodeMappingDto => ({
  match: row.match,
  ...(row.match === 'default' ? {} : { value: row.value }),
  costCentre: row.costCentre,
  ledgerCode: row.ledgerCode,
});

/**
 * How an organisation codes its marketplace postings in its own finance system. The codes are the organisation's
 * private business: another organisation's are not found, whoever asks.
 */
@Injectable()
export class LedgerCodesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async get(actor: Actor, organisationId: string): Promise<LedgerCodesDto> {
    if (organisationId !== actor.organisationId) throw notFound('Ledger codes');
    return { mappings: await this.mappings(this.dataSource.manager, organisationId) };
  }

  /** Replaces the whole set (audited with before and after); the rows are locked so concurrent replaces queue. */
  async replace(actor: Actor, organisationId: string, dto: LedgerCodesDto): Promise<LedgerCodesDto> {
    if (organisationId !== actor.organisationId) throw notFound('Ledger codes');
    return this.dataSource.transaction(async (manager) => {
      await manager
        .getRepository(Organisation)
        .createQueryBuilder('o')
        .setLock('pessimistic_write')
        .where('o.id = :id', { id: organisationId })
        .getOneOrFail();
      const rows = await this.validated(manager, actor, organisationId, dto);
      const before = await this.mappings(manager, organisationId);
      await manager.delete(LedgerCodeMapping, { organisationId });
      if (rows.length > 0) await manager.insert(LedgerCodeMapping, rows);
      const after = await this.mappings(manager, organisationId);
      await this.audit.record(manager, actor, {
        action: 'organisation.ledger_codes_replaced',
        entityType: 'organisation',
        entityId: organisationId,
        organisationId,
        changes: { mappings: { from: before, to: after } },
      });
      return { mappings: after };
    });
  }

  /** The organisation's rules for coding an export (no authorisation: callers check who may export). */
  async rulesFor(manager: EntityManager, organisationId: string): Promise<LedgerCodeRules> {
    const rules: LedgerCodeRules = new Map();
    for (const row of await manager.find(LedgerCodeMapping, { where: { organisationId } })) {
      if (!rules.has(row.match)) rules.set(row.match, new Map());
      rules.get(row.match)?.set(row.value, { costCentre: row.costCentre, ledgerCode: row.ledgerCode });
    }
    return rules;
  }

  private async mappings(manager: EntityManager, organisationId: string): Promise<LedgerCodeMappingDto[]> {
    const rows = await manager.find(LedgerCodeMapping, {
      where: { organisationId },
      order: { match: 'ASC', value: 'ASC' },
    });
    return rows.map(toDto);
  }

  /** Checks what the DTO rules cannot: values that exist, one rule per match and value. Reports every problem. */
  private async validated(
    manager: EntityManager,
    actor: Actor,
    organisationId: string,
    dto: LedgerCodesDto,
  ): Promise<Omit<LedgerCodeMapping, 'updatedAt'>[]> {
    const errors: ProblemFieldError[] = [];
    const seen = new Set<string>();
    const counterparties = new Set<string>();
    const rows = dto.mappings.map((mapping, index) => {
      const field = `mappings.${index}.value`;
      const value = (mapping.value ?? '').trim();
      const allowed = VALUES[mapping.match];
      if (mapping.match === 'default' && value !== '') {
        errors.push({ field, message: 'The default rule matches everything: leave out its value' });
      } else if (mapping.match !== 'default' && value === '') {
        errors.push({ field, message: `A ${mapping.match} rule needs a value` });
      } else if (allowed && !allowed.includes(value)) {
        errors.push({ field, message: `A ${mapping.match} must be one of: ${allowed.join(', ')}` });
      } else if (mapping.match === 'counterparty') {
        if (isUUID(value)) counterparties.add(value);
        else errors.push({ field, message: 'A counterparty is an organisation id (a UUID)' });
      }
      const key = `${mapping.match}\u0000${value}`;
      if (seen.has(key)) errors.push({ field, message: `There is already a rule for this ${mapping.match}` });
      seen.add(key);
      return {
        organisationId,
        match: mapping.match,
        value,
        costCentre: mapping.costCentre,
        ledgerCode: mapping.ledgerCode,
      };
    });
    if (counterparties.size > 0) {
      const visible = await onlyVisibleOrganisations(
        manager.getRepository(Organisation).createQueryBuilder('o').select('o.id', 'id'),
        actor,
      )
        .andWhere('o.id IN (:...ids)', { ids: [...counterparties] })
        .getRawMany<{ id: string }>();
      const known = new Set(visible.map((row) => row.id));
      dto.mappings.forEach((mapping, index) => {
        const value = (mapping.value ?? '').trim();
        if (mapping.match === 'counterparty' && counterparties.has(value) && !known.has(value)) {
          errors.push({
            field: `mappings.${index}.value`,
            message: 'No organisation you can see has this id',
          });
        }
      });
    }
    if (errors.length > 0) throw invalid(errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
    return rows;
  }
}
