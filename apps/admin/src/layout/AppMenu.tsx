import { Menu, usePermissions } from 'react-admin';
import { FEATURES } from '../features';
import { NO_PERMISSIONS, type Permissions } from '../roles';

/** The side menu: each feature's entries that this person's roles allow (the API still decides every request). */
export function AppMenu() {
  const { permissions } = usePermissions<Permissions>();
  const held = permissions ?? NO_PERMISSIONS;
  return (
    <Menu>
      <Menu.DashboardItem />
      {FEATURES.flatMap((feature) => feature.menu(held)).map((entry) => (
        <Menu.Item key={entry.to} to={entry.to} primaryText={entry.label} leftIcon={entry.icon} />
      ))}
    </Menu>
  );
}
