import type { Actor } from '@consortium/auth';
import type { Currency, MoneyJson } from '@consortium/domain';
import { ChargeComment } from './charge-comment.entity';
import { CreditNote } from './credit-note.entity';
import { CrossCharge } from './cross-charge.entity';
import type {
  ChargeCommentDto,
  ChargeDirection,
  CreditNoteDto,
  CrossChargeDto,
  DisputeDto,
} from './dto/cross-charges.dto';
import { Dispute } from './dispute.entity';

/** How cross-charges and their parts look in responses: money always as { amountMinor: string, currency }. */
export const moneyOf = (amountMinor: string | bigint, currency: string): MoneyJson => ({
  amountMinor: BigInt(amountMinor).toString(),
  currency: currency.trim() as Currency,
});

export function directionFor(actor: Actor, charge: CrossCharge): ChargeDirection | null {
  if (charge.providerOrganisationId === actor.organisationId) return 'from_us';
  if (charge.consumerOrganisationId === actor.organisationId) return 'to_us';
  return null;
}

/** Needs `provider`, `consumer` and `billingPeriod` loaded. */
export function toCrossChargeDto(actor: Actor, charge: CrossCharge): CrossChargeDto {
  return {
    id: charge.id,
    reference: charge.reference,
    consortiumId: charge.consortiumId,
    billingPeriod: {
      id: charge.billingPeriodId,
      key: charge.billingPeriod?.key ?? '',
      startDate: charge.billingPeriod?.startDate ?? '',
      endDate: charge.billingPeriod?.endDate ?? '',
    },
    provider: { id: charge.providerOrganisationId, name: charge.provider?.name ?? '' },
    consumer: { id: charge.consumerOrganisationId, name: charge.consumer?.name ?? '' },
    direction: directionFor(actor, charge),
    status: charge.status,
    net: moneyOf(charge.netMinor, charge.currency),
    vat: moneyOf(charge.vatMinor, charge.currency),
    gross: moneyOf(charge.grossMinor, charge.currency),
    issuedAt: charge.issuedAt,
    approvedAt: charge.approvedAt,
    createdAt: charge.createdAt,
    supplementOf: charge.supplementOfId
      ? { id: charge.supplementOfId, reference: originalReference(charge.reference) }
      : null,
  };
}

/** A supplementary charge's reference is its original's with `-S<n>`. */
function originalReference(reference: string): string {
  return reference.replace(/-S\d+$/, '');
}

export function toDisputeDto(dispute: Dispute): DisputeDto {
  return {
    id: dispute.id,
    crossChargeId: dispute.crossChargeId,
    crossChargeLineId: dispute.crossChargeLineId,
    status: dispute.status,
    reason: dispute.reason,
    resolution: dispute.resolution,
    raisedByUserId: dispute.raisedByUserId,
    resolvedAt: dispute.resolvedAt,
    createdAt: dispute.createdAt,
    updatedAt: dispute.updatedAt,
  };
}

export function toCreditNoteDto(note: CreditNote): CreditNoteDto {
  return {
    id: note.id,
    reference: note.reference,
    crossChargeId: note.crossChargeId,
    crossChargeLineId: note.crossChargeLineId,
    disputeId: note.disputeId,
    reason: note.reason,
    net: moneyOf(note.netMinor, note.currency),
    vat: moneyOf(note.vatMinor, note.currency),
    gross: moneyOf(note.grossMinor, note.currency),
    journalEntryId: note.journalEntryId,
    createdAt: note.createdAt,
  };
}

export function toChargeCommentDto(comment: ChargeComment): ChargeCommentDto {
  return {
    id: comment.id,
    crossChargeId: comment.crossChargeId,
    disputeId: comment.disputeId,
    organisationId: comment.organisationId,
    authorLabel: comment.authorLabel,
    body: comment.body,
    createdAt: comment.createdAt,
  };
}
