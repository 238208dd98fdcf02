import HistoryIcon from '@mui/icons-material/History';
import KeyIcon from '@mui/icons-material/Key';
import NotificationsIcon from '@mui/icons-material/Notifications';
import PeopleIcon from '@mui/icons-material/People';
import { Resource } from 'react-admin';
import type { Feature } from '../features/feature';
import { Allowed } from '../layout/NotAllowed';
import { hasRole, isConsortiumAdmin, type Permissions } from '../roles';
import { ApiKeyCreate, ApiKeyList, apiKeyEndpoints } from './api-keys';
import { AuditLogList, auditEventEndpoints } from './audit-log';
import { NotificationList, notificationEndpoints } from './notifications';
import { UserCreate, UserEdit, UserList, userEndpoints } from './users';

/** The same roles as the endpoints' @Roles: users and API keys are org_admin's; the audit log also consortium admins'. */
const managesUsers = (p: Permissions) => hasRole(p, 'org_admin') || p.isSuperadmin;
const managesKeys = (p: Permissions) => hasRole(p, 'org_admin');
const readsAudit = (p: Permissions) => hasRole(p, 'org_admin') || isConsortiumAdmin(p);

const ORG_ADMIN_ONLY = 'Only your organisation’s administrators manage its users, roles and API keys.';
const AUDIT_READERS =
  'Only organisation administrators and consortium administrators can read the audit log.';

/** Everyone and organisation administrators: notifications, users and roles, API keys, the audit log. */
export const organisationFeature: Feature = {
  resources: {
    notifications: notificationEndpoints,
    users: userEndpoints,
    'api-keys': apiKeyEndpoints,
    'audit-events': auditEventEndpoints,
  },
  // Registered for everyone, so that a screen opened by URL says "not allowed" rather than "not found".
  adminResources: () => [
    <Resource key="notifications" name="notifications" list={NotificationList} />,
    <Resource
      key="users"
      name="users"
      recordRepresentation="name"
      list={
        <Allowed when={managesUsers} reason={ORG_ADMIN_ONLY}>
          <UserList />
        </Allowed>
      }
      create={
        <Allowed when={managesUsers} reason={ORG_ADMIN_ONLY}>
          <UserCreate />
        </Allowed>
      }
      edit={
        <Allowed when={managesUsers} reason={ORG_ADMIN_ONLY}>
          <UserEdit />
        </Allowed>
      }
    />,
    <Resource
      key="api-keys"
      name="api-keys"
      list={
        <Allowed when={managesKeys} reason={ORG_ADMIN_ONLY}>
          <ApiKeyList />
        </Allowed>
      }
      create={
        <Allowed when={managesKeys} reason={ORG_ADMIN_ONLY}>
          <ApiKeyCreate />
        </Allowed>
      }
    />,
    <Resource
      key="audit-events"
      name="audit-events"
      list={
        <Allowed when={readsAudit} reason={AUDIT_READERS}>
          <AuditLogList />
        </Allowed>
      }
    />,
  ],
  menu: (p) => [
    { to: '/notifications', label: 'Notifications', icon: <NotificationsIcon /> },
    ...(managesUsers(p) ? [{ to: '/users', label: 'Users and roles', icon: <PeopleIcon /> }] : []),
    ...(managesKeys(p) ? [{ to: '/api-keys', label: 'API keys', icon: <KeyIcon /> }] : []),
    ...(readsAudit(p) ? [{ to: '/audit-events', label: 'Audit log', icon: <HistoryIcon /> }] : []),
  ],
};
