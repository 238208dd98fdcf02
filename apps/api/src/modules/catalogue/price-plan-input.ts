import { type PricePlan, validatePricePlan } from '@consortium/domain';
import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '../../common/problem';

/**
 * A price plan from a request body, checked by the domain's validator. Every problem comes back at once in the
 * one validation-problem shape (`errors[]`, each with the field's path under `pricePlan`), with the code
 * `invalid-price-plan`. A plan without a currency takes the consortium's; a plan in another currency is refused.
 */
export function acceptPricePlan(input: Record<string, unknown>, consortiumCurrency: string): PricePlan {
  const candidate = input.currency === undefined ? { ...input, currency: consortiumCurrency } : input;
  const result = validatePricePlan(candidate);
  const errors = result.valid
    ? []
    : result.problems.map((problem) => ({
        field: problem.path ? `pricePlan.${problem.path}` : 'pricePlan',
        message: problem.message,
      }));
  if (result.valid && result.plan.currency !== consortiumCurrency) {
    errors.push({
      field: 'pricePlan.currency',
      message: `The consortium trades in ${consortiumCurrency}: a price plan must be in ${consortiumCurrency}`,
    });
  }
  if (errors.length > 0 || !result.valid) {
    throw new ProblemException(
      HttpStatus.BAD_REQUEST,
      'validation-error',
      `The price plan is not valid: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
      { code: 'invalid-price-plan', errors },
    );
  }
  return result.plan;
}
