import type { Feature } from '../features/feature';

/** Consortium administrators: members, join requests, billing periods, charge runs, close, settlement, escalated disputes. */
export const consortiumFeature: Feature = {
  menu: () => [],
};
