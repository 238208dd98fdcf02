import { ResourceContextProvider } from 'react-admin';
import { Route } from 'react-router-dom';
import type { Feature } from '../features/feature';
import { Allowed } from '../layout/NotAllowed';
import { ReconciliationPage } from './ReconciliationPage';
import { seesReconciliation } from './words';

const WHO_SEES_IT =
  'Only the consortium’s administrators and providers’ finance teams see whether a period is completely charged.';

/**
 * Billing completeness: a period's reconciliation on a page of its own. No menu entry: it is reached from the
 * period's page (administrators), a period's cross-charges (finance teams) and a refused close.
 */
export const reconciliationFeature: Feature = {
  routes: () => [
    <Route
      key="reconciliation"
      path="/billing-periods/:id/reconciliation"
      element={
        <Allowed when={seesReconciliation} reason={WHO_SEES_IT}>
          {/* Its table is react-admin's, which wants a resource to be named. */}
          <ResourceContextProvider value="reconciliation">
            <ReconciliationPage />
          </ResourceContextProvider>
        </Allowed>
      }
    />,
  ],
  menu: () => [],
};
