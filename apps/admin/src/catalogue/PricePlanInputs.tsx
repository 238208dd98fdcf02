import { Box } from '@mui/material';
import {
  ArrayInput,
  FormDataConsumer,
  NumberInput,
  required,
  SelectInput,
  SimpleFormIterator,
  TextInput,
} from 'react-admin';
import { choicesOf, PRICE_MODEL_LABELS } from './labels';

const POUNDS = 'Pounds, e.g. 1250.00';

/**
 * The price plan's inputs under `source` (e.g. `pricePlan`): the model first, then only that model's fields.
 * Amounts are decimal pounds as the API takes them; the API's domain rules check the plan and name any problem.
 */
export function PricePlanInputs({ source }: { source: string }) {
  const at = (field: string) => `${source}.${field}`;
  return (
    <Box sx={{ width: '100%' }}>
      <SelectInput
        source={at('model')}
        label="Pricing"
        choices={choicesOf(PRICE_MODEL_LABELS)}
        validate={required()}
      />
      <FormDataConsumer>
        {({ formData }) => {
          const model = (formData?.[source] as { model?: string } | undefined)?.model;
          switch (model) {
            case 'flat_fee':
              return (
                <TextInput
                  source={at('feePerPeriod')}
                  label="Fee per period (£)"
                  helperText={POUNDS}
                  validate={required()}
                />
              );
            case 'per_unit':
              return (
                <>
                  <TextInput
                    source={at('unitPrice')}
                    label="Price per unit (£)"
                    helperText={POUNDS}
                    validate={required()}
                  />
                  <TextInput
                    source={at('unitName')}
                    label="What one unit is"
                    helperText="Singular, e.g. device, site"
                  />
                </>
              );
            case 'graduated':
            case 'volume':
              return (
                <>
                  <TextInput
                    source={at('unitName')}
                    label="What one unit is"
                    helperText="Singular, e.g. server"
                  />
                  <ArrayInput
                    source={at('tiers')}
                    label="Tiers (leave the last tier’s limit empty: no limit)"
                  >
                    <SimpleFormIterator inline disableReordering>
                      <NumberInput source="upTo" label="Up to and including (units)" />
                      <TextInput source="unitPrice" label="Price per unit (£)" validate={required()} />
                    </SimpleFormIterator>
                  </ArrayInput>
                </>
              );
            case 'metered':
              return (
                <>
                  <TextInput
                    source={at('metric')}
                    label="Usage metric"
                    helperText="Lower-case, e.g. storage_gb"
                    validate={required()}
                  />
                  <TextInput source={at('unitName')} label="Unit of usage" helperText="e.g. GB" />
                  <TextInput
                    source={at('unitPrice')}
                    label="Price per unit used (£)"
                    helperText="e.g. 0.0125"
                    validate={required()}
                  />
                  <TextInput
                    source={at('includedPerPeriod')}
                    label="Included each period"
                    helperText="Optional allowance"
                  />
                </>
              );
            default:
              return null;
          }
        }}
      </FormDataConsumer>
      <TextInput source={at('setupFee')} label="One-off set-up fee (£)" helperText="Optional" />
    </Box>
  );
}
