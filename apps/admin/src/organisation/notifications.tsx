import DoneAllIcon from '@mui/icons-material/DoneAll';
import MarkEmailReadIcon from '@mui/icons-material/MarkEmailRead';
import NotificationsIcon from '@mui/icons-material/Notifications';
import { Badge, Button, IconButton, type Theme, Tooltip, Typography, useMediaQuery } from '@mui/material';
import { useMutation, useQuery } from '@tanstack/react-query';
import {
  Datagrid,
  FunctionField,
  Link,
  SelectInput,
  TextInput,
  FilterButton,
  TopToolbar,
  useNotify,
  useRecordContext,
  useRefresh,
} from 'react-admin';
import { api } from '../api/client';
import { messageFor, unwrap } from '../api/problem';
import type { components } from '../api/schema';
import type { Page, ResourceEndpoints } from '../dataProvider';
import { formatDateTime } from '../format/date';
import { ApiList } from '../layout/ListProblem';
import { byDate, SortChoice } from '../layout/SortChoice';
import { EmptyList } from './EmptyList';
import { notificationLink, unreadBadge, unreadLabel } from './notification-links';

type Notification = components['schemas']['NotificationDto'];

export const notificationEndpoints: ResourceEndpoints = {
  list: async (query, signal) =>
    unwrap(
      await api.GET('/api/v1/notifications', { params: { query: query as never }, signal }),
    ) as Page<Notification>,
};

const UNREAD_PAGE = 100;

/** The unread count for the bell: one page of unread notifications, checked again every minute. */
function useUnreadCount() {
  return useQuery({
    queryKey: ['notifications', 'unread-count'],
    queryFn: async ({ signal }) => {
      const page = unwrap(
        await api.GET('/api/v1/notifications', {
          params: { query: { unread: 'true', limit: UNREAD_PAGE } },
          signal,
        }),
      ) as Page<Notification>;
      return { unread: page.data.length, more: page.page.nextCursor !== null };
    },
    refetchInterval: 60_000,
  });
}

/** The bell in the app bar: how many notifications are unread, and the way to the list. */
export function NotificationBell() {
  const { data } = useUnreadCount();
  const unread = data?.unread ?? 0;
  const more = data?.more ?? false;
  const label = unreadLabel(unread, more);
  return (
    <Tooltip title={label}>
      <IconButton component={Link} to="/notifications" color="inherit" aria-label={label}>
        <Badge badgeContent={unreadBadge(unread, more)} color="error" invisible={unread === 0}>
          <NotificationsIcon />
        </Badge>
      </IconButton>
    </Tooltip>
  );
}

function MarkReadButton() {
  const record = useRecordContext<Notification>();
  const refresh = useRefresh();
  const notify = useNotify();
  const mark = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST('/api/v1/notifications/{id}/read', { params: { path: { id } } })),
    onSuccess: () => refresh(),
    onError: (error) => notify(messageFor(error), { type: 'error' }),
  });
  if (!record || record.readAt) return null;
  return (
    <Button
      size="small"
      startIcon={<MarkEmailReadIcon />}
      disabled={mark.isPending}
      onClick={(event) => {
        event.stopPropagation();
        mark.mutate(record.id);
      }}
      aria-label={`Mark read: ${record.title}`}
    >
      Mark read
    </Button>
  );
}

function MarkAllReadButton() {
  const refresh = useRefresh();
  const notify = useNotify();
  const markAll = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/notifications/read-all')),
    onSuccess: ({ marked }) => {
      notify(marked === 1 ? '1 notification marked read' : `${marked} notifications marked read`, {
        type: 'success',
      });
      refresh();
    },
    onError: (error) => notify(messageFor(error), { type: 'error' }),
  });
  return (
    <Button startIcon={<DoneAllIcon />} disabled={markAll.isPending} onClick={() => markAll.mutate()}>
      Mark all read
    </Button>
  );
}

const filters = [
  <SelectInput
    key="unread"
    source="unread"
    label="Show"
    choices={[
      { id: 'true', name: 'Unread only' },
      { id: 'false', name: 'Read only' },
    ]}
    emptyText="All"
    alwaysOn
  />,
  <TextInput key="kind" source="kind" label="Kind (e.g. subscription.requested)" />,
];

/** Your organisation's notifications, newest first; read state is shared by everyone in the organisation. */
export function NotificationList() {
  // On a phone the date and status go under the text: four columns do not fit in 390 px.
  const phone = useMediaQuery<Theme>((theme) => theme.breakpoints.down('sm'));
  return (
    <ApiList
      exporter={false}
      resource="notifications"
      title="Notifications"
      filters={filters}
      sort={{ field: 'createdAt', order: 'DESC' }}
      actions={
        <TopToolbar>
          {/* Offers the kind filter, which is not always on show. */}
          <FilterButton />
          <MarkAllReadButton />
        </TopToolbar>
      }
      empty={
        <EmptyList
          title="No notifications"
          text="Requests to approve and decisions on yours will appear here."
        />
      }
    >
      {/* On a phone the Received column, which sorts, is gone: sort here instead. */}
      {phone && <SortChoice options={byDate('createdAt')} />}
      <Datagrid bulkActionButtons={false} rowClick={false}>
        <FunctionField
          label="Notification"
          render={(n: Notification) => {
            const to = notificationLink(n.kind, n.entityType, n.entityId);
            return (
              <>
                <Typography variant="body2" component="span" sx={{ fontWeight: n.readAt ? 400 : 700 }}>
                  {to ? <Link to={to}>{n.title}</Link> : n.title}
                </Typography>
                <Typography variant="body2" color="text.secondary">
                  {n.body}
                </Typography>
                {phone && (
                  <Typography variant="caption" color="text.secondary">
                    {formatDateTime(n.createdAt)} · {n.readAt ? 'Read' : 'Unread'}
                  </Typography>
                )}
              </>
            );
          }}
        />
        {!phone && (
          <FunctionField
            label="Received"
            source="createdAt"
            sortable
            render={(n: Notification) => formatDateTime(n.createdAt)}
          />
        )}
        {!phone && (
          <FunctionField
            label="Status"
            render={(n: Notification) => (n.readAt ? `Read ${formatDateTime(n.readAt)}` : 'Unread')}
          />
        )}
        <MarkReadButton />
      </Datagrid>
    </ApiList>
  );
}
