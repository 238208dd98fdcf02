import { Admin, CustomRoutes } from 'react-admin';
import { SignInPage } from './auth/SignInPage';
import { authProvider } from './authProvider';
import { Dashboard } from './dashboard/Dashboard';
import { createDataProvider } from './dataProvider';
import { FEATURES } from './features';
import { i18nProvider } from './i18nProvider';
import { AppLayout } from './layout/AppLayout';
import { NO_PERMISSIONS, type Permissions } from './roles';
import { theme } from './theme';

const dataProvider = createDataProvider(
  Object.assign({}, ...FEATURES.map((feature) => feature.resources ?? {})),
);

/** The admin UI: react-admin with a hash router, so the API serves it as static files at `/`. */
export function App() {
  return (
    <Admin
      title="Consortium shared services"
      authProvider={authProvider}
      dataProvider={dataProvider}
      i18nProvider={i18nProvider}
      dashboard={Dashboard}
      loginPage={SignInPage}
      layout={AppLayout}
      theme={theme}
      requireAuth
      disableTelemetry
    >
      {(permissions: Permissions | undefined) => {
        const held = permissions ?? NO_PERMISSIONS;
        return [
          ...FEATURES.flatMap((feature) => feature.adminResources?.(held) ?? []),
          <CustomRoutes key="feature-routes">
            {FEATURES.flatMap((feature) => feature.routes?.(held) ?? [])}
          </CustomRoutes>,
        ];
      }}
    </Admin>
  );
}
