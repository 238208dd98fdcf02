import { Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import {
  ArrayInput,
  Create,
  Edit,
  NumberInput,
  required,
  SelectInput,
  SimpleForm,
  SimpleFormIterator,
  TextInput,
} from 'react-admin';
import { consortiumName } from '../api/directory';
import { useMe } from './hooks';
import { CATEGORY_LABELS, choicesOf, VAT_LABELS } from './labels';
import { pricePlanFromForm } from './price-plan-form';
import { PricePlanInputs } from './PricePlanInputs';
import { MY_SERVICES, type Service } from './resources';

const CAPACITY_UNITS = [
  { id: 'subscribers', name: 'Subscribing organisations' },
  { id: 'units', name: 'Units (seats, sites, devices)' },
];

function ConsortiumInput() {
  const me = useMe().data;
  const ids = me?.activeConsortia ?? [];
  const names = useQuery({
    queryKey: ['consortium-names', ids],
    enabled: ids.length > 0,
    queryFn: ({ signal }) =>
      Promise.all(ids.map(async (id) => ({ id, name: await consortiumName(id, signal) }))),
  });
  return (
    <SelectInput
      source="consortiumId"
      label="Offered to"
      choices={names.data ?? []}
      isPending={names.isPending}
      validate={required()}
    />
  );
}

/** The fields both forms share: what the service is, its service level, capacity, VAT and contacts. */
function ServiceFields() {
  return (
    <>
      <TextInput source="title" validate={required()} fullWidth />
      <SelectInput source="category" choices={choicesOf(CATEGORY_LABELS)} validate={required()} />
      <TextInput
        source="summary"
        validate={required()}
        multiline
        fullWidth
        helperText="One or two sentences for the catalogue"
      />
      <TextInput source="description" validate={required()} multiline minRows={4} fullWidth />
      <Typography component="h2" variant="h6">
        Service level
      </Typography>
      <TextInput
        source="serviceLevel.hoursOfCover"
        label="Hours of cover"
        helperText="e.g. 24x7 or Mon–Fri 08:30–17:00"
        validate={required()}
      />
      <NumberInput
        source="serviceLevel.responseTargetHours"
        label="Response target (hours)"
        validate={required()}
      />
      <NumberInput
        source="serviceLevel.resolutionTargetHours"
        label="Resolution target (hours)"
        validate={required()}
      />
      <TextInput
        source="serviceLevel.availabilityPercent"
        label="Availability (%)"
        helperText="e.g. 99.9"
        validate={required()}
      />
      <Typography component="h2" variant="h6">
        Capacity
      </Typography>
      <NumberInput source="capacity.limit" label="Capacity limit" helperText="Leave empty for no limit" />
      <SelectInput
        source="capacity.unit"
        label="Capacity counts"
        choices={CAPACITY_UNITS}
        validate={required()}
      />
      <SelectInput source="vatTreatment" label="VAT" choices={choicesOf(VAT_LABELS)} validate={required()} />
      <ArrayInput source="contacts" label="Contacts" validate={required()}>
        <SimpleFormIterator inline disableReordering>
          <TextInput source="name" validate={required()} />
          <TextInput source="email" type="email" validate={required()} />
          <TextInput source="phone" />
          <TextInput source="role" label="About" helperText="e.g. Service owner" />
        </SimpleFormIterator>
      </ArrayInput>
    </>
  );
}

/** Only what PATCH /services/{id} takes: the record also carries the provider, capacity in use, price… */
function toUpdate(record: Partial<Service>) {
  const { category, title, summary, description, serviceLevel, vatTreatment, contacts, capacity } = record;
  return {
    category,
    title,
    summary,
    description,
    serviceLevel,
    vatTreatment,
    contacts: contacts?.map(({ name, email, phone, role }) => ({
      name,
      email,
      ...(phone ? { phone } : {}),
      ...(role ? { role } : {}),
    })),
    capacity: capacity ? { limit: capacity.limit ?? null, unit: capacity.unit } : undefined,
  };
}

export function ServiceCreate() {
  return (
    <Create
      resource={MY_SERVICES}
      title="List a new service"
      redirect="show"
      transform={(data: Record<string, unknown>) => ({
        ...data,
        capacity: {
          ...(data.capacity as object),
          limit: (data.capacity as { limit?: number })?.limit ?? null,
        },
        pricePlan: pricePlanFromForm((data.pricePlan ?? {}) as Record<string, unknown>),
      })}
    >
      <SimpleForm
        defaultValues={{
          vatTreatment: 'outside_scope',
          capacity: { unit: 'subscribers' },
          pricePlan: { model: 'flat_fee' },
          contacts: [{}],
        }}
      >
        <Typography variant="body2">
          A new service is a draft that only your organisation sees until you publish it.
        </Typography>
        <ConsortiumInput />
        <ServiceFields />
        <Typography component="h2" variant="h6">
          Price
        </Typography>
        <PricePlanInputs source="pricePlan" />
      </SimpleForm>
    </Create>
  );
}

export function ServiceEdit() {
  return (
    <Edit
      resource={MY_SERVICES}
      title="Change a service"
      redirect="show"
      mutationMode="pessimistic"
      transform={toUpdate}
    >
      <SimpleForm>
        <Typography variant="body2">
          The price is changed on the service page (a new price version), not here.
        </Typography>
        <ServiceFields />
      </SimpleForm>
    </Edit>
  );
}
