import { catalogueFeature } from '../catalogue/feature';
import { consortiumFeature } from '../consortium/feature';
import { financeFeature } from '../finance/feature';
import { organisationFeature } from '../organisation/feature';
import { reconciliationFeature } from '../reconciliation/feature';
import type { Feature } from './feature';

/** Every part of the UI, in menu order. */
export const FEATURES: Feature[] = [
  catalogueFeature,
  financeFeature,
  consortiumFeature,
  organisationFeature,
  reconciliationFeature,
];
