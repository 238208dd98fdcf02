import { type ReactNode, useEffect } from 'react';
import { Layout, useLogout } from 'react-admin';
import { onSessionEnded } from '../api/session';
import { AppMenu } from './AppMenu';
import { AppTopBar } from './AppTopBar';

/** When the API refuses the refresh token (revoked, expired), go to the sign-in page at once, not on the next click. */
function SessionWatcher() {
  const logout = useLogout();
  useEffect(() => onSessionEnded(() => void logout({}, '/login', true)), [logout]);
  return null;
}

/**
 * react-admin's layout: its skip-to-content link comes first, the side menu becomes a drawer on a phone, and
 * the app bar carries the notifications bell and the account menu.
 */
export function AppLayout({ children }: { children: ReactNode }) {
  return (
    <Layout menu={AppMenu} appBar={AppTopBar}>
      <SessionWatcher />
      {children}
    </Layout>
  );
}
