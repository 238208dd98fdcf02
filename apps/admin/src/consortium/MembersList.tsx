import { Autocomplete, Box, Button, Chip, TextField as MuiTextField, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import {
  Datagrid,
  FunctionField,
  ListBase,
  Pagination,
  SelectInput,
  TextField,
  TopToolbar,
  useNotify,
  useRefresh,
} from 'react-admin';
import { api } from '../api/client';
import { unwrap } from '../api/problem';
import { choicesOf, ORGANISATION_TYPE_LABELS } from '../catalogue/labels';
import { formatDate } from '../format/date';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ScrollX } from './ScrollX';
import { type AdministeredConsortium, InConsortium } from './InConsortium';
import { type Member, RESOURCES } from './resources';
import {
  MEMBERSHIP_ACTION_LABELS,
  MEMBERSHIP_STATUS_LABELS,
  type MembershipAction,
  membershipActions,
  membershipQuestion,
} from './words';
import { ApiList } from '../layout/ListProblem';

const STATUS_CHOICES = choicesOf(MEMBERSHIP_STATUS_LABELS);

const DONE: Record<MembershipAction, (name: string) => string> = {
  approve: (name) => `${name} is now a member`,
  reject: (name) => `${name}'s request to join was turned down`,
  suspend: (name) => `${name} is suspended`,
  reinstate: (name) => `${name} is an active member again`,
};

async function decide(member: Member, action: MembershipAction, reason: string | undefined) {
  const params = { path: { id: member.consortiumId, organisationId: member.organisationId } };
  const body = reason ? { reason } : {};
  // One literal path per step, so each call stays checked against the OpenAPI document.
  switch (action) {
    case 'approve':
      return unwrap(
        await api.POST('/api/v1/consortia/{id}/members/{organisationId}/approve', { params, body }),
      );
    case 'reject':
      return unwrap(
        await api.POST('/api/v1/consortia/{id}/members/{organisationId}/reject', { params, body }),
      );
    case 'suspend':
      return unwrap(
        await api.POST('/api/v1/consortia/{id}/members/{organisationId}/suspend', { params, body }),
      );
    case 'reinstate':
      return unwrap(
        await api.POST('/api/v1/consortia/{id}/members/{organisationId}/reinstate', { params, body }),
      );
  }
}

function MembershipButtons({ member }: { member: Member }) {
  const [action, setAction] = useState<MembershipAction | null>(null);
  const notify = useNotify();
  const refresh = useRefresh();
  const actions = membershipActions(member.status);
  if (actions.length === 0) return null;
  return (
    <>
      <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
        {actions.map((name) => (
          <Button
            key={name}
            size="small"
            variant="outlined"
            color={name === 'reject' || name === 'suspend' ? 'error' : 'primary'}
            onClick={() => setAction(name)}
            aria-label={`${MEMBERSHIP_ACTION_LABELS[name]} ${member.organisationName}`}
          >
            {MEMBERSHIP_ACTION_LABELS[name]}
          </Button>
        ))}
      </Box>
      {action ? (
        <ConfirmDialog
          open
          title={`${MEMBERSHIP_ACTION_LABELS[action]} ${member.organisationName}`}
          confirmLabel={MEMBERSHIP_ACTION_LABELS[action]}
          fields={[
            {
              name: 'reason',
              label: 'Reason (optional)',
              kind: 'multiline',
              helperText: 'Kept with the membership and in the audit trail',
            },
          ]}
          onClose={() => setAction(null)}
          onConfirm={async ({ reason }) => {
            await decide(member, action, reason || undefined);
            notify(DONE[action](member.organisationName), { type: 'success' });
            refresh();
          }}
        >
          {membershipQuestion(action, member.organisationName)}
        </ConfirmDialog>
      ) : null}
    </>
  );
}

interface OrganisationOption {
  id: string;
  name: string;
}

function InviteButton({ consortium }: { consortium: AdministeredConsortium }) {
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const [chosen, setChosen] = useState<OrganisationOption | null>(null);
  const notify = useNotify();
  const refresh = useRefresh();
  const options = useQuery({
    queryKey: ['organisations-to-invite', search],
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/v1/organisations', {
          params: { query: { limit: 20, ...(search ? { q: search } : {}) } },
          signal,
        }),
      ).data.map((o) => ({ id: o.id, name: o.name })),
    enabled: open,
  });
  return (
    <>
      <Button variant="contained" size="small" onClick={() => setOpen(true)}>
        Invite an organisation
      </Button>
      <ConfirmDialog
        open={open}
        title={`Invite an organisation to ${consortium.name}`}
        confirmLabel="Send invitation"
        fields={[{ name: 'note', label: 'Message (optional)' }]}
        onClose={() => {
          setOpen(false);
          setChosen(null);
        }}
        onConfirm={async ({ note }) => {
          if (!chosen) throw new Error('Choose the organisation to invite.');
          await unwrap(
            await api.POST('/api/v1/consortia/{id}/invitations', {
              params: { path: { id: consortium.id } },
              body: { organisationId: chosen.id, ...(note ? { note } : {}) },
            }),
          );
          notify(`${chosen.name} is invited to join`, { type: 'success' });
          setChosen(null);
          refresh();
        }}
      >
        <Typography variant="body2" sx={{ mb: 2 }}>
          Its administrators are told and may accept or decline.
        </Typography>
        <Autocomplete
          options={options.data ?? []}
          loading={options.isPending}
          value={chosen}
          onChange={(_, value) => setChosen(value)}
          onInputChange={(_, value) => setSearch(value)}
          getOptionLabel={(option) => option.name}
          isOptionEqualToValue={(a, b) => a.id === b.id}
          renderInput={(params) => <MuiTextField {...params} label="Organisation" required />}
        />
      </ConfirmDialog>
    </>
  );
}

function StatusChip({ member }: { member: Member }) {
  const colour =
    member.status === 'active' ? 'success' : member.status === 'requested' ? 'primary' : 'default';
  return <Chip size="small" color={colour} label={MEMBERSHIP_STATUS_LABELS[member.status]} />;
}

function ConsortiumAdmins({ consortiumId }: { consortiumId: string }) {
  return (
    <Box component="section" aria-labelledby="consortium-admins-heading" sx={{ mt: 4 }}>
      <Typography id="consortium-admins-heading" component="h2" variant="h6" gutterBottom>
        Consortium administrators
      </Typography>
      <ListBase
        resource={RESOURCES.admins}
        filter={{ consortiumId }}
        sort={{ field: 'name', order: 'ASC' }}
        perPage={10}
        disableSyncWithLocation
      >
        {/* A phone scrolls the table, not the page. */}
        <ScrollX>
          <Datagrid bulkActionButtons={false} rowClick={false}>
            <TextField source="name" label="Name" />
            <TextField source="email" label="Email" />
            <TextField source="organisationName" label="Organisation" sortable={false} />
            <FunctionField
              label="Administrator since"
              sortable={false}
              render={(admin: { grantedAt: string }) => formatDate(admin.grantedAt)}
            />
          </Datagrid>
        </ScrollX>
        <Pagination rowsPerPageOptions={[10, 25]} />
      </ListBase>
    </Box>
  );
}

function Members({ consortium }: { consortium: AdministeredConsortium }) {
  return (
    <>
      <ApiList
        resource={RESOURCES.members}
        title={`Members of ${consortium.name}`}
        filter={{ consortiumId: consortium.id }}
        filters={[
          <SelectInput key="status" source="status" label="Status" choices={STATUS_CHOICES} alwaysOn />,
        ]}
        sort={{ field: 'name', order: 'ASC' }}
        actions={
          <TopToolbar>
            <InviteButton consortium={consortium} />
          </TopToolbar>
        }
        empty={false}
        perPage={25}
      >
        {/* A phone scrolls the table, not the page. */}
        <ScrollX>
          <Datagrid
            bulkActionButtons={false}
            rowClick={false}
            empty={
              <Typography sx={{ p: 2 }} color="text.secondary">
                No memberships match these filters.
              </Typography>
            }
          >
            <TextField source="organisationName" label="Organisation" sortBy="name" />
            <FunctionField
              label="Type"
              sortable={false}
              render={(member: Member) => ORGANISATION_TYPE_LABELS[member.organisationType]}
            />
            <FunctionField
              label="Status"
              sortable={false}
              render={(member: Member) => <StatusChip member={member} />}
            />
            <FunctionField
              label="Member since"
              sortable={false}
              render={(member: Member) => formatDate(member.joinedAt)}
            />
            <FunctionField
              label="Last change"
              sortBy="updatedAt"
              source="updatedAt"
              render={(member: Member) => formatDate(member.updatedAt)}
            />
            <TextField source="note" label="Note" sortable={false} emptyText="—" />
            <FunctionField
              label="Actions"
              render={(member: Member) => <MembershipButtons member={member} />}
            />
          </Datagrid>
        </ScrollX>
      </ApiList>
      <ConsortiumAdmins consortiumId={consortium.id} />
    </>
  );
}

/** Members and join requests: approve or reject requests, invite, suspend and reinstate; the administrators. */
export function MembersList() {
  return <InConsortium>{(consortium) => <Members consortium={consortium} />}</InConsortium>;
}
