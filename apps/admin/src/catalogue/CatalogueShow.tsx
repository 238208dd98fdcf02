import { Alert, Button } from '@mui/material';
import { useState } from 'react';
import { Loading, Title, usePermissions, useShowController } from 'react-admin';
import { messageFor } from '../api/problem';
import { hasRole, type Permissions } from '../roles';
import { EXPLAIN_IN_PLACE, useMe } from './hooks';
import { CATALOGUE, type Service } from './resources';
import { ServiceDetails } from './ServiceDetails';
import { SubscribeDialog } from './SubscribeDialog';

/** Who may subscribe, as POST /subscriptions decides: a CIO team of another organisation, to a published service. */
function canSubscribe(
  service: Service,
  permissions: Permissions | undefined,
  organisationId: string | undefined,
) {
  return (
    hasRole(permissions, 'service_manager', 'org_admin') &&
    service.status === 'published' &&
    organisationId !== undefined &&
    service.provider.id !== organisationId
  );
}

/** A service page in the catalogue, with Subscribe for those who may. */
export function CatalogueShow() {
  const { record, error, isPending } = useShowController<Service>({
    resource: CATALOGUE,
    ...EXPLAIN_IN_PLACE,
  });
  const { permissions } = usePermissions<Permissions>();
  const me = useMe().data;
  const [subscribing, setSubscribing] = useState(false);

  if (isPending) return <Loading loadingPrimary="Loading the service" loadingSecondary="" />;
  if (error || !record) {
    return (
      <Alert severity="error" role="alert" sx={{ mt: 2 }}>
        {error ? messageFor(error) : 'This service could not be found.'}
      </Alert>
    );
  }
  return (
    <>
      <Title title={record.title} />
      <ServiceDetails
        service={record}
        actions={
          canSubscribe(record, permissions, me?.organisationId) ? (
            <Button variant="contained" onClick={() => setSubscribing(true)}>
              Subscribe
            </Button>
          ) : null
        }
      />
      {subscribing ? <SubscribeDialog service={record} onClose={() => setSubscribing(false)} /> : null}
    </>
  );
}
