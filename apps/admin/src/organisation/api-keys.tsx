import BlockIcon from '@mui/icons-material/Block';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import {
  Alert,
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  TextField as MuiTextField,
  Typography,
} from '@mui/material';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import {
  CheckboxGroupInput,
  Confirm,
  Create,
  CreateButton,
  Datagrid,
  DateTimeInput,
  FunctionField,
  SimpleForm,
  TextField,
  TextInput,
  TopToolbar,
  required,
  useNotify,
  useRecordContext,
  useRedirect,
  useRefresh,
} from 'react-admin';
import { api } from '../api/client';
import { messageFor, unwrap } from '../api/problem';
import type { components } from '../api/schema';
import type { Page, ResourceEndpoints } from '../dataProvider';
import { formatDateTime } from '../format/date';
import { API_KEY_SCOPE_LABELS, API_KEY_SCOPES, apiKeyStanding, type ApiKeyScope } from './api-key-scopes';
import { ApiList } from '../layout/ListProblem';
import { EmptyList } from './EmptyList';

type ApiKey = components['schemas']['ApiKeyDto'];
type CreatedApiKey = components['schemas']['CreatedApiKeyDto'];

export const apiKeyEndpoints: ResourceEndpoints = {
  list: async (query, signal) =>
    unwrap(await api.GET('/api/v1/api-keys', { params: { query: query as never }, signal })) as Page<ApiKey>,
  create: async (data) => {
    const input = data as { name?: string; scopes?: ApiKeyScope[]; expiresAt?: string | null };
    return unwrap(
      await api.POST('/api/v1/api-keys', {
        body: {
          name: input.name ?? '',
          scopes: input.scopes ?? [],
          ...(input.expiresAt ? { expiresAt: new Date(input.expiresAt).toISOString() } : {}),
        },
      }),
    );
  },
};

const SCOPE_CHOICES = API_KEY_SCOPES.map((id) => ({ id, name: `${id}: ${API_KEY_SCOPE_LABELS[id]}` }));

function RevokeButton() {
  const key = useRecordContext<ApiKey>();
  const [open, setOpen] = useState(false);
  const refresh = useRefresh();
  const notify = useNotify();
  const revoke = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await api.POST('/api/v1/api-keys/{id}/revoke', { params: { path: { id } } })),
    onSuccess: (revoked) => {
      notify(`The key “${revoked.name}” is revoked: it no longer works.`, { type: 'success' });
      setOpen(false);
      refresh();
    },
    onError: (error) => {
      setOpen(false);
      notify(messageFor(error), { type: 'error' });
    },
  });
  if (!key || apiKeyStanding(key) === 'Revoked') return null;
  return (
    <>
      <Button
        size="small"
        color="error"
        startIcon={<BlockIcon />}
        onClick={() => setOpen(true)}
        aria-label={`Revoke ${key.name}`}
      >
        Revoke
      </Button>
      <Confirm
        isOpen={open}
        loading={revoke.isPending}
        title={`Revoke the key “${key.name}”?`}
        content="Anything using this key stops working at once. This cannot be undone: you would create a new key."
        confirm="Revoke key"
        cancel="Keep it"
        onConfirm={() => revoke.mutate(key.id)}
        onClose={() => setOpen(false)}
      />
    </>
  );
}

export function ApiKeyList() {
  return (
    <ApiList
      exporter={false}
      resource="api-keys"
      title="API keys"
      sort={{ field: 'createdAt', order: 'DESC' }}
      actions={
        <TopToolbar>
          <CreateButton label="Create an API key" />
        </TopToolbar>
      }
      empty={
        <EmptyList
          title="No API keys yet"
          text="Systems that report usage or read charges use a key created here."
          action={<CreateButton label="Create an API key" />}
        />
      }
    >
      <Datagrid bulkActionButtons={false} rowClick={false}>
        <TextField source="name" label="Name" />
        <FunctionField label="Key" render={(key: ApiKey) => <code>{`csk_${key.prefix}_…`}</code>} />
        <FunctionField
          label="Scopes"
          render={(key: ApiKey) => (
            <Stack direction="row" spacing={0.5} useFlexGap flexWrap="wrap">
              {key.scopes.map((scope) => (
                // What the key may do, in words; the scope's code (what integrators configure) on hover.
                <Chip key={scope} size="small" label={API_KEY_SCOPE_LABELS[scope] ?? scope} title={scope} />
              ))}
            </Stack>
          )}
        />
        <FunctionField label="Status" render={(key: ApiKey) => apiKeyStanding(key)} />
        <FunctionField
          label="Created"
          source="createdAt"
          sortable
          render={(key: ApiKey) =>
            `${formatDateTime(key.createdAt)}${key.createdBy ? ` by ${key.createdBy.name}` : ''}`
          }
        />
        <FunctionField
          label="Last used"
          render={(key: ApiKey) => (key.lastUsedAt ? formatDateTime(key.lastUsedAt) : 'Never')}
        />
        <FunctionField
          label="Expires"
          render={(key: ApiKey) => (key.expiresAt ? formatDateTime(key.expiresAt) : 'Never')}
        />
        <RevokeButton />
      </Datagrid>
    </ApiList>
  );
}

/** The whole key, once: it is kept nowhere but this dialog's state, so leaving or reloading loses it for good. */
function NewKeyDialog({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <Dialog open aria-labelledby="new-key-title" maxWidth="sm" fullWidth>
      <DialogTitle id="new-key-title">Your new API key “{created.name}”</DialogTitle>
      <DialogContent>
        <Alert severity="warning" sx={{ mb: 2 }}>
          Copy this key now and keep it somewhere safe. It is shown only this once: nobody, not even an
          administrator, can see it again. If it is lost, revoke it and create another.
        </Alert>
        <MuiTextField
          label="API key"
          value={created.key}
          fullWidth
          slotProps={{ input: { readOnly: true, sx: { fontFamily: 'monospace' } } }}
          onFocus={(event) => event.target.select()}
          data-testid="new-api-key"
        />
        <Box sx={{ mt: 1 }} aria-live="polite">
          {copied && <Typography variant="body2">Copied to the clipboard.</Typography>}
        </Box>
      </DialogContent>
      <DialogActions>
        <Button startIcon={<ContentCopyIcon />} onClick={() => void copy()}>
          Copy key
        </Button>
        <Button variant="contained" onClick={onDone}>
          I have stored the key
        </Button>
      </DialogActions>
    </Dialog>
  );
}

export function ApiKeyCreate() {
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const redirect = useRedirect();
  return (
    <>
      <Create
        resource="api-keys"
        title="Create an API key"
        mutationOptions={{ onSuccess: (data: unknown) => setCreated(data as CreatedApiKey) }}
      >
        <SimpleForm>
          <TextInput
            source="name"
            label="What the key is for"
            helperText="e.g. the name of the system that will use it"
            validate={required('Say what the key is for')}
          />
          <CheckboxGroupInput
            source="scopes"
            label="What the key may do"
            choices={SCOPE_CHOICES}
            row={false}
            validate={required('Choose at least one scope')}
          />
          <DateTimeInput
            source="expiresAt"
            label="Stops working on (optional)"
            helperText="Leave empty for a key that works until it is revoked."
          />
        </SimpleForm>
      </Create>
      {created && <NewKeyDialog created={created} onDone={() => redirect('list', 'api-keys')} />}
    </>
  );
}
