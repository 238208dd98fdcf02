import type { ReactElement } from 'react';
import type { ResourceRegistry } from '../dataProvider';
import type { Permissions } from '../roles';

/** One entry in the side menu. */
export interface MenuEntry {
  /** Route, e.g. `/catalogue` or `/cross-charges`. */
  to: string;
  label: string;
  icon?: ReactElement;
}

/**
 * A part of the UI for one audience (CIO teams, finance, consortium administrators, everyone). App.tsx mounts
 * every feature's resources and routes; the menu offers each person only the entries their roles allow, and each
 * screen still handles the API's 403 (the API is the authority, the menu only avoids offering what would fail).
 */
export interface Feature {
  /** Data-provider endpoints for the react-admin resources this feature declares. */
  resources?: ResourceRegistry;
  /** `<Resource>` elements, given who is signed in (react-admin needs them as direct children of `<Admin>`). */
  adminResources?: (permissions: Permissions) => ReactElement[];
  /** Custom pages: `<Route>` elements mounted under `<CustomRoutes>` (inside the layout). */
  routes?: (permissions: Permissions) => ReactElement[];
  /** Menu entries, in order, that this person is offered. */
  menu: (permissions: Permissions) => MenuEntry[];
}
