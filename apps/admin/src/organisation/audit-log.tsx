import { type Theme, useMediaQuery } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import {
  AutocompleteInput,
  Datagrid,
  DateInput,
  FunctionField,
  Loading,
  ReferenceInput,
  SelectInput,
  SimpleList,
  TextInput,
  usePermissions,
} from 'react-admin';
import { api } from '../api/client';
import { consortiumName } from '../api/directory';
import { unwrap } from '../api/problem';
import type { components } from '../api/schema';
import type { Page, ResourceEndpoints } from '../dataProvider';
import { formatDateTime } from '../format/date';
import { hasRole, NO_PERMISSIONS, type Permissions } from '../roles';
import { actionLabel, describeChanges, ENTITY_TYPE_LABELS, dayRange, entityTypeLabel } from './audit-format';
import { ApiList } from '../layout/ListProblem';
import { byDate, SortChoice } from '../layout/SortChoice';
import { EmptyList } from './EmptyList';

type AuditEvent = components['schemas']['AuditEventDto'];

export const auditEventEndpoints: ResourceEndpoints = {
  list: async ({ fromDay, toDay, ...query }, signal) =>
    unwrap(
      await api.GET('/api/v1/audit-events', {
        params: { query: { ...query, ...dayRange(fromDay as string, toDay as string) } as never },
        signal,
      }),
    ) as Page<AuditEvent>,
};

const ENTITY_CHOICES = Object.entries(ENTITY_TYPE_LABELS).map(([id, name]) => ({ id, name }));

/** Names of the consortia this person administers, for the consortium filter. */
function useAdministeredConsortia(permissions: Permissions) {
  return useQuery({
    queryKey: ['administered-consortia', permissions.consortiumAdminOf],
    queryFn: ({ signal }) =>
      Promise.all(
        permissions.consortiumAdminOf.map(async (id) => ({ id, name: await consortiumName(id, signal) })),
      ),
    enabled: permissions.consortiumAdminOf.length > 0,
  });
}

const actorText = (event: AuditEvent) =>
  event.actorType === 'system'
    ? 'The system'
    : `${event.actorLabel}${event.actorType === 'api_key' ? ' (API key)' : ''}`;

/** One row per event on a phone (who did what, when, and what changed), the table from a tablet up. */
function AuditRows() {
  const phone = useMediaQuery<Theme>((theme) => theme.breakpoints.down('sm'));
  if (phone) {
    return (
      <>
        <SortChoice options={byDate('occurredAt')} />
        <SimpleList<AuditEvent>
          primaryText={(event) => `${actorText(event)}: ${actionLabel(event.action)}`}
          secondaryText={(event) => describeChanges(event.changes)}
          tertiaryText={(event) =>
            `${formatDateTime(event.occurredAt)} · ${entityTypeLabel(event.entityType)}`
          }
          linkType={false}
        />
      </>
    );
  }
  return (
    <Datagrid bulkActionButtons={false} rowClick={false}>
      <FunctionField
        label="When"
        source="occurredAt"
        sortable
        render={(event: AuditEvent) => formatDateTime(event.occurredAt)}
      />
      <FunctionField label="Who" render={actorText} />
      {/* In words; the code (what the Action filter takes) is kept as the cell's title. */}
      <FunctionField
        label="Action"
        render={(event: AuditEvent) => <span title={event.action}>{actionLabel(event.action)}</span>}
      />
      <FunctionField label="About" render={(event: AuditEvent) => entityTypeLabel(event.entityType)} />
      <FunctionField label="What changed" render={(event: AuditEvent) => describeChanges(event.changes)} />
    </Datagrid>
  );
}

/**
 * The audit trail: an organisation administrator sees the organisation's events; a consortium administrator
 * chooses one of their consortia to see its events (the API needs `consortiumId` for that).
 */
export function AuditLogList() {
  const { permissions: held } = usePermissions<Permissions>();
  const permissions = held ?? NO_PERMISSIONS;
  const orgAdmin = hasRole(permissions, 'org_admin');
  const { data: consortia = [], isLoading } = useAdministeredConsortia(permissions);
  // The consortium filter's choices first, so the filter form starts with them (and its default shows by name).
  if (isLoading) return <Loading loadingPrimary="Loading the audit log" loadingSecondary="" />;
  const filters = [
    <TextInput key="action" source="action" label="Action (e.g. user.updated)" alwaysOn />,
    <SelectInput key="entityType" source="entityType" label="About" choices={ENTITY_CHOICES} alwaysOn />,
    <DateInput key="fromDay" source="fromDay" label="From (day)" />,
    <DateInput key="toDay" source="toDay" label="To (day, inclusive)" />,
    ...(orgAdmin
      ? [
          <ReferenceInput key="actorId" source="actorId" reference="users" label="Who">
            <AutocompleteInput label="Who" optionText="name" filterToQuery={(q: string) => ({ q })} />
          </ReferenceInput>,
        ]
      : []),
    ...(consortia.length > 0
      ? [
          <SelectInput
            key="consortiumId"
            source="consortiumId"
            label="Consortium"
            choices={consortia}
            emptyText={orgAdmin ? 'Your organisation' : undefined}
            alwaysOn
          />,
        ]
      : []),
  ];
  // Without org_admin only a consortium's trail is open: start on the first one they administer.
  const defaults =
    !orgAdmin && permissions.consortiumAdminOf[0] ? { consortiumId: permissions.consortiumAdminOf[0] } : {};
  return (
    <ApiList
      exporter={false}
      resource="audit-events"
      title="Audit log"
      filters={filters}
      filterDefaultValues={defaults}
      sort={{ field: 'occurredAt', order: 'DESC' }}
      empty={
        <EmptyList
          title="Nothing recorded yet"
          text="Every change made in your organisation will be listed here."
        />
      }
    >
      <AuditRows />
    </ApiList>
  );
}
