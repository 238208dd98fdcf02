import type { Feature } from '../features/feature';

/** CIO teams: the catalogue, my services, subscription requests and my subscriptions. */
export const catalogueFeature: Feature = {
  menu: () => [],
};
