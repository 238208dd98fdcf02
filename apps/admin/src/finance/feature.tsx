import AccountBalanceIcon from '@mui/icons-material/AccountBalance';
import ReceiptIcon from '@mui/icons-material/Receipt';
import ReceiptLongIcon from '@mui/icons-material/ReceiptLong';
import SavingsIcon from '@mui/icons-material/Savings';
import { Route } from 'react-router-dom';
import { Resource, ResourceContextProvider } from 'react-admin';
import type { Feature } from '../features/feature';
import { hasRole } from '../roles';
import { AccountPage } from './AccountPage';
import { ChargeList } from './ChargeList';
import { ChargeShow } from './ChargeShow';
import { CreditNoteList } from './CreditNoteList';
import { financeResources } from './finance-api';
import { SavingsPage } from './SavingsPage';

/**
 * Finance: cross-charges, disputes, credit notes, account and statement, savings. Any member may read the charges
 * it is a party to (the page still works for a link shared with a viewer, who is offered no action); the menu
 * offers them to finance teams and organisation administrators, who act on them. Statements and savings are open to
 * viewers too (GET /statements and /savings).
 */
export const financeFeature: Feature = {
  resources: financeResources,
  adminResources: () => [
    <Resource key="cross-charges" name="cross-charges" list={ChargeList} show={ChargeShow} />,
    <Resource key="credit-notes" name="credit-notes" list={CreditNoteList} />,
    <Resource key="account-entries" name="account-entries" />,
  ],
  routes: () => [
    // Custom pages hold react-admin fields and grids, which want a resource to be named.
    <Route
      key="account"
      path="/account"
      element={
        <ResourceContextProvider value="account-entries">
          <AccountPage />
        </ResourceContextProvider>
      }
    />,
    <Route
      key="savings"
      path="/savings"
      element={
        <ResourceContextProvider value="savings">
          <SavingsPage />
        </ResourceContextProvider>
      }
    />,
  ],
  menu: (permissions) => [
    ...(hasRole(permissions, 'finance', 'org_admin')
      ? [
          { to: '/cross-charges', label: 'Cross-charges', icon: <ReceiptLongIcon /> },
          { to: '/credit-notes', label: 'Credit notes', icon: <ReceiptIcon /> },
        ]
      : []),
    ...(hasRole(permissions, 'finance', 'org_admin', 'viewer')
      ? [
          { to: '/account', label: 'Account and statement', icon: <AccountBalanceIcon /> },
          { to: '/savings', label: 'Savings', icon: <SavingsIcon /> },
        ]
      : []),
  ],
};
