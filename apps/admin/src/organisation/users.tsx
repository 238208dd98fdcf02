import { Alert, Chip, Stack, type Theme, useMediaQuery } from '@mui/material';
import {
  CheckboxGroupInput,
  Create,
  CreateButton,
  Datagrid,
  Edit,
  EmailField,
  FunctionField,
  PasswordInput,
  SaveButton,
  SelectInput,
  SimpleForm,
  SimpleList,
  TextField,
  TextInput,
  Toolbar,
  TopToolbar,
  email,
  minLength,
  required,
  useGetIdentity,
  useRecordContext,
} from 'react-admin';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import type { components } from '../api/schema';
import type { Page, ResourceEndpoints } from '../dataProvider';
import { formatDate, formatDateTime } from '../format/date';
import { ROLE_LABELS } from '../roles';
import { ApiList } from '../layout/ListProblem';
import { byDate, type SortOption, SortChoice } from '../layout/SortChoice';
import { EmptyList } from './EmptyList';

type User = components['schemas']['UserDto'];
type UserRole = User['roles'][number];

const ROLE_CHOICES = (Object.keys(ROLE_LABELS) as UserRole[]).map((id) => ({ id, name: ROLE_LABELS[id] }));
const STATUS_CHOICES = [
  { id: 'active', name: 'Active' },
  { id: 'disabled', name: 'Deactivated' },
];
/** The API's minimum (libs/auth MIN_PASSWORD_LENGTH), checked here too so the form says so before sending. */
const MIN_PASSWORD = 12;

export const userEndpoints: ResourceEndpoints = {
  list: async (query, signal) =>
    unwrap(await api.GET('/api/v1/users', { params: { query: query as never }, signal })) as Page<User>,
  one: async (id, signal) =>
    unwrap(await api.GET('/api/v1/users/{id}', { params: { path: { id: String(id) } }, signal })),
  create: async (data) => {
    const user = data as Partial<components['schemas']['CreateUserDto']>;
    return unwrap(
      await api.POST('/api/v1/users', {
        body: {
          email: user.email ?? '',
          name: user.name ?? '',
          roles: user.roles ?? [],
          password: user.password ?? '',
        },
      }),
    );
  },
  update: async (id, data) => {
    // Only what the form changes: the rest of the record (ids, dates) is not the API's to accept.
    const { name, roles, status } = data as Partial<User>;
    return unwrap(
      await api.PATCH('/api/v1/users/{id}', {
        params: { path: { id: String(id) } },
        body: { name, roles, status },
      }),
    );
  },
};

const filters = [
  <TextInput key="q" source="q" label="Search name or email" alwaysOn />,
  // Always on show: the toolbar has no "Add filter" button, so a hidden filter could not be reached.
  <SelectInput key="role" source="role" label="Role" choices={ROLE_CHOICES} emptyText="Any role" alwaysOn />,
  <SelectInput
    key="status"
    source="status"
    label="Status"
    choices={STATUS_CHOICES}
    emptyText="Active and deactivated"
    alwaysOn
  />,
];

function RoleChips() {
  const user = useRecordContext<User>();
  if (!user) return null;
  return (
    <Stack direction="row" spacing={0.5} useFlexGap flexWrap="wrap">
      {user.roles.map((role) => (
        <Chip key={role} size="small" label={ROLE_LABELS[role] ?? role} />
      ))}
    </Stack>
  );
}

const statusText = (user: User) => (user.status === 'active' ? 'Active' : 'Deactivated');
const rolesText = (user: User) => user.roles.map((role) => ROLE_LABELS[role] ?? role).join(', ');

const USER_SORTS: SortOption[] = [
  { field: 'name', order: 'ASC', label: 'Name, A to Z' },
  { field: 'name', order: 'DESC', label: 'Name, Z to A' },
  { field: 'email', order: 'ASC', label: 'Email address, A to Z' },
  ...byDate('createdAt', 'Added most recently', 'Added longest ago'),
];

/** One row per user on a phone (as the catalogue and finance lists do), the table from a tablet up. */
function UserRows() {
  const phone = useMediaQuery<Theme>((theme) => theme.breakpoints.down('sm'));
  if (phone) {
    return (
      <>
        <SortChoice options={USER_SORTS} />
        <SimpleList<User>
          primaryText={(user) => user.name}
          secondaryText={(user) => `${user.email} · ${rolesText(user)}`}
          tertiaryText={statusText}
          linkType="edit"
        />
      </>
    );
  }
  return (
    <Datagrid rowClick="edit" bulkActionButtons={false}>
      <TextField source="name" label="Name" />
      <EmailField source="email" label="Email address" />
      <FunctionField label="Roles" render={() => <RoleChips />} />
      <FunctionField label="Status" render={statusText} />
      <FunctionField label="Last signed in" render={(user: User) => formatDateTime(user.lastLoginAt)} />
      <FunctionField label="Added" source="createdAt" render={(user: User) => formatDate(user.createdAt)} />
    </Datagrid>
  );
}

export function UserList() {
  return (
    <ApiList
      exporter={false}
      resource="users"
      title="Users and roles"
      filters={filters}
      sort={{ field: 'name', order: 'ASC' }}
      actions={
        <TopToolbar>
          <CreateButton label="Add a user" />
        </TopToolbar>
      }
      empty={
        <EmptyList title="No users yet" text="Add the people of your organisation and choose their roles." />
      }
    >
      <UserRows />
    </ApiList>
  );
}

export function UserCreate() {
  return (
    <Create resource="users" title="Add a user" redirect="list">
      <SimpleForm>
        <TextInput
          source="email"
          label="Email address"
          type="email"
          validate={[required('Enter their email address'), email('Enter a valid email address')]}
        />
        <TextInput source="name" label="Full name" validate={required('Enter their name')} />
        <CheckboxGroupInput
          source="roles"
          label="Roles"
          choices={ROLE_CHOICES}
          validate={required('Choose at least one role')}
        />
        <PasswordInput
          source="password"
          label="First password (tell them to change it)"
          autoComplete="new-password"
          validate={[
            required('Enter a first password'),
            minLength(MIN_PASSWORD, `At least ${MIN_PASSWORD} characters`),
          ]}
        />
      </SimpleForm>
    </Create>
  );
}

/** The API's self-lockout rule, said before anyone runs into it. */
function SelfLockoutNote() {
  const user = useRecordContext<User>();
  const { identity } = useGetIdentity();
  if (!user || !identity || identity.id !== user.id) return null;
  return (
    <Alert severity="info" sx={{ mb: 2 }} data-testid="self-lockout-rule">
      This is you. You cannot deactivate yourself or give up your own Organisation administrator role, so that
      your organisation is never left without an administrator: ask another administrator to do it.
    </Alert>
  );
}

export function UserEdit() {
  return (
    <Edit resource="users" title="Change a user" mutationMode="pessimistic" redirect="list">
      <SimpleForm
        toolbar={
          <Toolbar>
            <SaveButton label="Save changes" />
          </Toolbar>
        }
      >
        <SelfLockoutNote />
        <TextInput source="email" label="Email address" disabled />
        <TextInput source="name" label="Full name" validate={required('Enter their name')} />
        <CheckboxGroupInput
          source="roles"
          label="Roles"
          choices={ROLE_CHOICES}
          validate={required('Choose at least one role')}
        />
        <SelectInput
          source="status"
          label="Status"
          choices={STATUS_CHOICES}
          helperText="A deactivated user cannot sign in, and is signed out everywhere at once."
          validate={required()}
        />
      </SimpleForm>
    </Edit>
  );
}
