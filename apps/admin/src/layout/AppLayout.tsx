import { type ReactNode, useEffect } from 'react';
import { Layout, useLogout } from 'react-admin';
import { onSessionEnded } from '../api/session';
import { AppMenu } from './AppMenu';

/** When the API refuses the refresh token (revoked, expired), go to the sign-in page at once, not on the next click. */
function SessionWatcher() {
  const logout = useLogout();
  useEffect(() => onSessionEnded(() => void logout({}, '/login', true)), [logout]);
  return null;
}

export function AppLayout({ children }: { children: ReactNode }) {
  return (
    <Layout menu={AppMenu}>
      <SessionWatcher />
      {children}
    </Layout>
  );
}
