import { Alert } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Loading, usePermissions } from 'react-admin';
import { consortiumName } from '../api/directory';
import { messageFor } from '../api/problem';
import type { Permissions } from '../roles';

export interface AdministeredConsortium {
  id: string;
  name: string;
}

/**
 * The consortium these screens act on: the first one the person administers (the demo and every real
 * consortium so far have one administrator organisation each), named rather than shown as an id.
 */
export function InConsortium({ children }: { children: (consortium: AdministeredConsortium) => ReactNode }) {
  const { permissions, isPending: permissionsPending } = usePermissions<Permissions>();
  const id = permissions?.consortiumAdminOf[0];
  const name = useQuery({
    queryKey: ['consortium-name', id],
    queryFn: ({ signal }) => consortiumName(id as string, signal),
    enabled: Boolean(id),
  });
  if (permissionsPending || (id && name.isPending)) {
    return <Loading loadingPrimary="Loading your consortium" loadingSecondary="" />;
  }
  if (!id) {
    return (
      <Alert severity="info" sx={{ mt: 2 }}>
        You do not administer a consortium, so there is nothing to manage here.
      </Alert>
    );
  }
  if (name.error) {
    return (
      <Alert severity="error" role="alert" sx={{ mt: 2 }}>
        {messageFor(name.error)}
      </Alert>
    );
  }
  return <>{children({ id, name: name.data ?? 'your consortium' })}</>;
}
