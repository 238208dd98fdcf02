import { AppBar, LoadingIndicator, TitlePortal } from 'react-admin';
import { NotificationBell } from '../organisation/notifications';
import { AccountMenu } from './AccountMenu';

/** The app bar: the page title, the notifications bell, the loading indicator and the account menu. */
export function AppTopBar() {
  return (
    <AppBar
      color="primary"
      toolbar={
        <>
          <NotificationBell />
          <LoadingIndicator />
        </>
      }
      userMenu={<AccountMenu />}
    >
      <TitlePortal />
    </AppBar>
  );
}
