import { Logout, UserMenu, useGetIdentity } from 'react-admin';

/**
 * react-admin's account menu, named so that its accessible name contains the text it shows (WCAG 2.5.3, axe
 * "label-content-name-mismatch"): the button reads "Your account: <name>" rather than a label unrelated to it.
 */
export function AccountMenu() {
  const { identity } = useGetIdentity();
  const label = identity?.fullName ? `Your account: ${identity.fullName}` : 'Your account';
  return (
    <UserMenu label={label}>
      <Logout />
    </UserMenu>
  );
}
