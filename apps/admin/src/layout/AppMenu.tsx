import { Divider } from '@mui/material';
import { Menu, usePermissions } from 'react-admin';
import { FEATURES } from '../features';
import { NO_PERMISSIONS, type Permissions } from '../roles';

/**
 * The side menu: each feature's entries that this person's roles allow (the API still decides every request),
 * one group per feature so related screens stay together. On a phone react-admin shows it as a drawer.
 */
export function AppMenu() {
  const { permissions } = usePermissions<Permissions>();
  const held = permissions ?? NO_PERMISSIONS;
  const groups = FEATURES.map((feature) => feature.menu(held)).filter((entries) => entries.length > 0);
  return (
    <Menu>
      <Menu.DashboardItem />
      {groups.flatMap((entries, index) => [
        <Divider key={`divider-${index}`} component="li" role="separator" sx={{ my: 0.5 }} />,
        ...entries.map((entry) => (
          <Menu.Item key={entry.to} to={entry.to} primaryText={entry.label} leftIcon={entry.icon} />
        )),
      ])}
    </Menu>
  );
}
