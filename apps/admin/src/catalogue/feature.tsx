import AssignmentIcon from '@mui/icons-material/Assignment';
import InboxIcon from '@mui/icons-material/Inbox';
import InventoryIcon from '@mui/icons-material/Inventory2';
import StorefrontIcon from '@mui/icons-material/Storefront';
import type { ReactElement } from 'react';
import { Resource } from 'react-admin';
import type { Feature } from '../features/feature';
import { Allowed } from '../layout/NotAllowed';
import { hasRole, type Permissions } from '../roles';
import { CatalogueList } from './CatalogueList';
import { CatalogueShow } from './CatalogueShow';
import { MyServiceList, MyServiceShow } from './MyServices';
import { CATALOGUE, catalogueResources, MY_SERVICES, MY_SUBSCRIPTIONS, REQUESTS } from './resources';
import { ServiceCreate, ServiceEdit } from './ServiceForm';
import { MySubscriptionList, MySubscriptionShow, RequestList, RequestShow } from './Subscriptions';

/** CIO teams publish and subscribe: the endpoints behind these screens are @Roles('service_manager', 'org_admin'). */
const managesServices = (p: Permissions) => hasRole(p, 'service_manager', 'org_admin');
/**
 * Anyone acting for an organisation may browse (the permissions do not say whether it is an active member; the
 * catalogue itself says so when it is not).
 */
const browses = (p: Permissions) => p.roles.length > 0;

const CIO_TEAMS_ONLY =
  'Only your organisation’s CIO team (service managers) and administrators manage its services and subscriptions.';

/** A CIO team's screen, or the not-allowed page for anyone else. */
const forCioTeams = (screen: ReactElement) => (
  <Allowed when={managesServices} reason={CIO_TEAMS_ONLY}>
    {screen}
  </Allowed>
);

/** CIO teams: the catalogue, my services, subscription requests and my subscriptions. */
export const catalogueFeature: Feature = {
  resources: catalogueResources,
  // Registered for everyone who browses, so that a CIO team's screen opened by URL says "not allowed" rather
  // than "not found".
  adminResources: (p) =>
    browses(p)
      ? [
          <Resource key={CATALOGUE} name={CATALOGUE} list={CatalogueList} show={CatalogueShow} />,
          <Resource
            key={MY_SERVICES}
            name={MY_SERVICES}
            list={forCioTeams(<MyServiceList />)}
            show={forCioTeams(<MyServiceShow />)}
            create={forCioTeams(<ServiceCreate />)}
            edit={forCioTeams(<ServiceEdit />)}
          />,
          <Resource
            key={REQUESTS}
            name={REQUESTS}
            list={forCioTeams(<RequestList />)}
            show={forCioTeams(<RequestShow />)}
          />,
          <Resource
            key={MY_SUBSCRIPTIONS}
            name={MY_SUBSCRIPTIONS}
            list={forCioTeams(<MySubscriptionList />)}
            show={forCioTeams(<MySubscriptionShow />)}
          />,
        ]
      : [],
  menu: (p) => [
    ...(browses(p) ? [{ to: `/${CATALOGUE}`, label: 'Service catalogue', icon: <StorefrontIcon /> }] : []),
    ...(managesServices(p)
      ? [
          { to: `/${MY_SERVICES}`, label: 'My services', icon: <InventoryIcon /> },
          { to: `/${REQUESTS}`, label: 'Subscription requests', icon: <InboxIcon /> },
          { to: `/${MY_SUBSCRIPTIONS}`, label: 'My subscriptions', icon: <AssignmentIcon /> },
        ]
      : []),
  ],
};
