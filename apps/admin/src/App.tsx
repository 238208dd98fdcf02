import { Admin, CustomRoutes } from 'react-admin';
import { Route } from 'react-router-dom';
import { SignInPage } from './auth/SignInPage';
import { authProvider } from './authProvider';
import { Dashboard } from './dashboard/Dashboard';
import { createDataProvider } from './dataProvider';
import { i18nProvider } from './i18nProvider';
import { AppLayout } from './layout/AppLayout';
import { ComingSoon } from './sections/ComingSoon';
import { theme } from './theme';

const dataProvider = createDataProvider();

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
      <CustomRoutes>
        <Route path="/coming-soon/:slug" element={<ComingSoon />} />
      </CustomRoutes>
    </Admin>
  );
}
