import type { Actor } from '@consortium/auth';
import {
  billingPeriodFor,
  billingPeriodLabel,
  type ChargeLine,
  chargeLineToJson,
  type ChargeTotals,
  computeChargeLines,
  moneyToJson,
  type PricePlan,
  totalChargeLines,
} from '@consortium/domain';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { paginate, type Page, type SortSpec } from '../../common/pagination';
import { conflict, invalid } from '../../common/problem';
import { AuditService } from '../audit/audit.service';
import { Consortium } from '../consortia/consortium.entity';
import { ukToday } from './compliance-status';
import { CreatePriceVersionDto, PriceVersionDto, PriceVersionListQuery } from './dto/price-version.dto';
import { QuoteDto, QuoteLineDto, QuoteRequestDto, QuoteTotalsDto } from './dto/quote.dto';
import { acceptPricePlan } from './price-plan-input';
import { PriceVersion } from './price-version.entity';
import { findOwnServiceForUpdate, findVisibleService } from './service-access';
import { Service } from './service.entity';

const PRICE_VERSION_SORT: SortSpec = {
  fields: { version: 'pv.version', createdAt: 'pv.created_at' },
  default: '-version',
  tieBreaker: 'pv.id',
};

/** A usage figure: a non-negative decimal string with at most six decimal places (never a float). */
const USAGE_AMOUNT = /^\d{1,15}(\.\d{1,6})?$/;

/**
 * A service's prices. Every price change appends a version (drafts included: one rule, and a draft's history
 * costs nothing); the newest becomes current for new subscriptions, and older versions stay as they were.
 */
@Injectable()
export class PriceVersionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async append(actor: Actor, serviceId: string, dto: CreatePriceVersionDto): Promise<PriceVersionDto> {
    return this.dataSource.transaction(async (manager) => {
      const service = await findOwnServiceForUpdate(manager, actor, serviceId);
      if (service.status === 'retired') {
        throw conflict('A retired service takes no new prices', 'service-retired');
      }
      const consortium = await manager.findOneByOrFail(Consortium, { id: service.consortiumId });
      const plan = acceptPricePlan(dto.pricePlan, consortium.currency);
      // The service row is locked, so the next number is ours; the unique index backs it up regardless.
      const [{ latest }] = await manager.query<{ latest: number }[]>(
        'SELECT max(version)::int AS latest FROM price_versions WHERE service_id = $1',
        [serviceId],
      );
      const version = await manager.save(
        manager.create(PriceVersion, {
          serviceId,
          version: latest + 1,
          plan: { ...plan },
          currency: consortium.currency,
          createdByUserId: actor.kind === 'user' ? actor.id : null,
        }),
      );
      await manager.update(Service, { id: serviceId }, { currentPriceVersion: version.version });
      await this.audit.record(manager, actor, {
        action: 'service.price_changed',
        entityType: 'service',
        entityId: serviceId,
        consortiumId: service.consortiumId,
        changes: {
          priceVersion: { from: service.currentPriceVersion, to: version.version },
          priceVersionId: version.id,
          pricePlan: plan,
        },
      });
      return toPriceVersionDto(version, version.version);
    });
  }

  async list(actor: Actor, serviceId: string, query: PriceVersionListQuery): Promise<Page<PriceVersionDto>> {
    const service = await findVisibleService(this.dataSource.manager, actor, serviceId);
    const versions = this.dataSource
      .getRepository(PriceVersion)
      .createQueryBuilder('pv')
      .where('pv.service_id = :serviceId', { serviceId });
    return paginate(versions, query, PRICE_VERSION_SORT, (version) =>
      toPriceVersionDto(version, service.currentPriceVersion),
    );
  }

  /**
   * What one full billing period of the consortium's cycle (the current one) would charge under the current price
   * version, and the one-off set-up fee, computed by the same domain rules as the charge run.
   */
  async quote(actor: Actor, serviceId: string, dto: QuoteRequestDto): Promise<QuoteDto> {
    const manager = this.dataSource.manager;
    const service = await findVisibleService(manager, actor, serviceId);
    const usage = checkedUsage(dto.usage);
    const [consortium, price] = await Promise.all([
      manager.findOneByOrFail(Consortium, { id: service.consortiumId }),
      manager.findOneByOrFail(PriceVersion, { serviceId, version: service.currentPriceVersion }),
    ]);
    const plan = price.plan as unknown as PricePlan;
    const period = billingPeriodFor(ukToday(), consortium.billingCycle);
    const lines = computeChargeLines({
      plan,
      period,
      quantity: dto.quantity,
      usage,
      subscriptionStartDate: period.startDate,
      subscriptionEndDate: null,
      setupFeeDue: true,
      vatTreatment: service.vatTreatment,
    });
    const setupFee = lines.find((line) => line.kind === 'setup_fee') ?? null;
    const recurring = lines.filter((line) => line.kind !== 'setup_fee');
    return {
      serviceId,
      priceVersion: price.version,
      priceModel: plan.model,
      vatTreatment: service.vatTreatment,
      quantity: dto.quantity,
      period: { ...period, label: billingPeriodLabel(period) },
      lines: recurring.map(toQuoteLine),
      periodTotals: toTotals(totalChargeLines(recurring, plan.currency)),
      setupFee: setupFee ? toQuoteLine(setupFee) : null,
      firstPeriodTotals: toTotals(totalChargeLines(lines, plan.currency)),
    };
  }
}

function checkedUsage(usage: Record<string, unknown> | undefined): Record<string, string> {
  const errors = Object.entries(usage ?? {})
    .filter(([, amount]) => typeof amount !== 'string' || !USAGE_AMOUNT.test(amount))
    .map(([metric]) => ({
      field: `usage.${metric}`,
      message: `usage.${metric} must be a non-negative decimal string with at most 6 decimal places, such as "1250.5"`,
    }));
  if (errors.length > 0) throw invalid(errors.map((e) => e.message).join('; '), errors);
  return (usage ?? {}) as Record<string, string>;
}

function toQuoteLine(line: ChargeLine): QuoteLineDto {
  const json = chargeLineToJson(line);
  return {
    key: json.key,
    kind: json.kind,
    description: json.description,
    quantity: json.quantity,
    unitRate: json.unitRate,
    exactAmount: json.exactAmount,
    amount: json.amount,
    vatTreatment: json.vatTreatment,
    vatRate: json.vatRate,
    vat: json.vat,
    ...(json.tier ? { tier: json.tier } : {}),
    ...(json.usage ? { usage: json.usage } : {}),
  };
}

function toTotals(totals: ChargeTotals): QuoteTotalsDto {
  return { net: moneyToJson(totals.net), vat: moneyToJson(totals.vat), gross: moneyToJson(totals.gross) };
}

export function toPriceVersionDto(version: PriceVersion, currentVersion: number): PriceVersionDto {
  return {
    id: version.id,
    serviceId: version.serviceId,
    version: version.version,
    isCurrent: version.version === currentVersion,
    model: version.plan.model as PriceVersionDto['model'],
    plan: version.plan,
    currency: version.currency,
    createdByUserId: version.createdByUserId,
    createdAt: version.createdAt,
  };
}
