import { FormControl, InputLabel, MenuItem, Select } from '@mui/material';
import type { ConsortiumChoice } from './useConsortia';

/** A select of the person's consortia, shown only when there is more than one. */
export function ConsortiumPicker({
  consortia,
  value,
  onChange,
}: {
  consortia: ConsortiumChoice[];
  value: string;
  onChange: (id: string) => void;
}) {
  if (consortia.length < 2) return null;
  return (
    <FormControl size="small" sx={{ minWidth: 260 }}>
      <InputLabel id="finance-consortium">Consortium</InputLabel>
      <Select
        labelId="finance-consortium"
        label="Consortium"
        value={value}
        onChange={(e) => onChange(e.target.value)}
      >
        {consortia.map((c) => (
          <MenuItem key={c.id} value={c.id}>
            {c.name}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}
