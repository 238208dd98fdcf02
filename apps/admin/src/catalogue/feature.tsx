import AssignmentIcon from '@mui/icons-material/Assignment';
import InboxIcon from '@mui/icons-material/Inbox';
import InventoryIcon from '@mui/icons-material/Inventory2';
import StorefrontIcon from '@mui/icons-material/Storefront';
import { Resource } from 'react-admin';
import type { Feature } from '../features/feature';
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

/** CIO teams: the catalogue, my services, subscription requests and my subscriptions. */
export const catalogueFeature: Feature = {
  resources: catalogueResources,
  adminResources: (p) => [
    ...(browses(p)
      ? [<Resource key={CATALOGUE} name={CATALOGUE} list={CatalogueList} show={CatalogueShow} />]
      : []),
    ...(managesServices(p)
      ? [
          <Resource
            key={MY_SERVICES}
            name={MY_SERVICES}
            list={MyServiceList}
            show={MyServiceShow}
            create={ServiceCreate}
            edit={ServiceEdit}
          />,
          <Resource key={REQUESTS} name={REQUESTS} list={RequestList} show={RequestShow} />,
          <Resource
            key={MY_SUBSCRIPTIONS}
            name={MY_SUBSCRIPTIONS}
            list={MySubscriptionList}
            show={MySubscriptionShow}
          />,
        ]
      : []),
  ],
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
