import { Menu } from 'react-admin';
import { COMING_SOON } from '../sections/sections';

export function AppMenu() {
  return (
    <Menu>
      <Menu.DashboardItem />
      {COMING_SOON.map((section) => (
        <Menu.Item
          key={section.slug}
          to={`/coming-soon/${section.slug}`}
          primaryText={`${section.label} (coming soon)`}
        />
      ))}
    </Menu>
  );
}
