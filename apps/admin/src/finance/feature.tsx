import type { Feature } from '../features/feature';

/** Finance: cross-charges, disputes, credit notes, account and statement, savings. */
export const financeFeature: Feature = {
  menu: () => [],
};
