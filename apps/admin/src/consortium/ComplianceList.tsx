import { Chip, Typography } from '@mui/material';
import { Datagrid, FunctionField, SelectInput, TextField, useGetList } from 'react-admin';
import type { components } from '../api/schema';
import { choicesOf, COMPLIANCE_KIND_LABELS, STANDING_LABELS } from '../catalogue/labels';
import { formatDate } from '../format/date';
import { type AdministeredConsortium, InConsortium } from './InConsortium';
import { ScrollX } from './ScrollX';
import { type Member, RESOURCES } from './resources';
import { ApiList } from '../layout/ListProblem';

type Attestation = components['schemas']['ConsortiumAttestationDto'];

function StandingChip({ attestation }: { attestation: Attestation }) {
  const colour =
    attestation.standing === 'valid' ? 'success' : attestation.standing === 'expired' ? 'error' : 'default';
  return <Chip size="small" color={colour} label={STANDING_LABELS[attestation.standing]} />;
}

function Register({ consortium }: { consortium: AdministeredConsortium }) {
  // The providers to filter by: the consortium's members, by name (the API filters by organisation).
  const members = useGetList<Member>(RESOURCES.members, {
    filter: { consortiumId: consortium.id, status: 'active' },
    pagination: { page: 1, perPage: 200 },
    sort: { field: 'name', order: 'ASC' },
  });
  const providers = (members.data ?? []).map((m) => ({ id: m.organisationId, name: m.organisationName }));
  return (
    <ApiList
      resource={RESOURCES.compliance}
      title={`Compliance register of ${consortium.name}`}
      filter={{ consortiumId: consortium.id }}
      filters={[
        <SelectInput
          key="standing"
          source="standing"
          label="Standing"
          choices={choicesOf(STANDING_LABELS)}
          alwaysOn
        />,
        <SelectInput
          key="kind"
          source="kind"
          label="Certificate"
          choices={choicesOf(COMPLIANCE_KIND_LABELS)}
          alwaysOn
        />,
        <SelectInput
          key="providerId"
          source="providerId"
          label="Provider"
          choices={providers}
          isPending={members.isPending}
          alwaysOn
        />,
      ]}
      sort={{ field: 'expiresOn', order: 'ASC' }}
      empty={false}
      actions={false}
    >
      {/* A phone scrolls the table, not the page. */}
      <ScrollX>
        <Datagrid
          bulkActionButtons={false}
          rowClick={false}
          empty={
            <Typography sx={{ p: 2 }} color="text.secondary">
              No certificate matches these filters.
            </Typography>
          }
        >
          <TextField source="serviceTitle" label="Service" sortable={false} />
          <TextField source="provider.name" label="Provider" sortable={false} />
          <FunctionField
            label="Certificate"
            sortable={false}
            render={(a: Attestation) =>
              `${COMPLIANCE_KIND_LABELS[a.kind]}${a.required ? '' : ' (not required)'}`
            }
          />
          <TextField source="certificateReference" label="Reference" sortable={false} />
          <FunctionField
            label="Expires"
            source="expiresOn"
            render={(a: Attestation) => formatDate(a.expiresOn)}
          />
          <FunctionField
            label="Standing"
            sortable={false}
            render={(a: Attestation) => <StandingChip attestation={a} />}
          />
        </Datagrid>
      </ScrollX>
    </ApiList>
  );
}

/** Every certificate on the consortium's services, soonest to expire first: what to chase before it lapses. */
export function ComplianceList() {
  return <InConsortium>{(consortium) => <Register consortium={consortium} />}</InConsortium>;
}
