import AccountBalanceIcon from '@mui/icons-material/AccountBalance';
import VerifiedUserIcon from '@mui/icons-material/VerifiedUser';
import GavelIcon from '@mui/icons-material/Gavel';
import GroupsIcon from '@mui/icons-material/Groups';
import type { ReactElement } from 'react';
import { Resource } from 'react-admin';
import type { Feature } from '../features/feature';
import { Allowed } from '../layout/NotAllowed';
import { isConsortiumAdmin } from '../roles';
import { ComplianceList } from './ComplianceList';
import { EscalatedDisputeShow, EscalatedDisputesList } from './EscalatedDisputes';
import { MembersList } from './MembersList';
import { PeriodShow } from './PeriodShow';
import { PeriodsList } from './PeriodsList';
import { consortiumResources, RESOURCES } from './resources';

const ADMINISTRATORS_ONLY = 'Only the consortium’s administrators see this screen.';

/** A consortium administrator's screen, or the not-allowed page for anyone else. */
const forAdministrators = (screen: ReactElement) => (
  <Allowed when={isConsortiumAdmin} reason={ADMINISTRATORS_ONLY}>
    {screen}
  </Allowed>
);

/** Consortium administrators: members, join requests, billing periods, charge runs, close, settlement, escalated disputes. */
export const consortiumFeature: Feature = {
  resources: consortiumResources,
  // Registered for everyone, so that an administrator's screen opened by URL says "not allowed" rather than
  // "not found".
  adminResources: () => [
    <Resource key={RESOURCES.members} name={RESOURCES.members} list={forAdministrators(<MembersList />)} />,
    <Resource key={RESOURCES.admins} name={RESOURCES.admins} />,
    <Resource
      key={RESOURCES.periods}
      name={RESOURCES.periods}
      list={forAdministrators(<PeriodsList />)}
      show={forAdministrators(<PeriodShow />)}
    />,
    <Resource key={RESOURCES.runs} name={RESOURCES.runs} />,
    <Resource
      key={RESOURCES.disputes}
      name={RESOURCES.disputes}
      list={forAdministrators(<EscalatedDisputesList />)}
      show={forAdministrators(<EscalatedDisputeShow />)}
    />,
    <Resource
      key={RESOURCES.compliance}
      name={RESOURCES.compliance}
      list={forAdministrators(<ComplianceList />)}
    />,
  ],
  menu: (permissions) =>
    isConsortiumAdmin(permissions)
      ? [
          { to: `/${RESOURCES.members}`, label: 'Members', icon: <GroupsIcon /> },
          { to: `/${RESOURCES.periods}`, label: 'Billing periods', icon: <AccountBalanceIcon /> },
          { to: `/${RESOURCES.disputes}`, label: 'Escalated disputes', icon: <GavelIcon /> },
          { to: `/${RESOURCES.compliance}`, label: 'Compliance register', icon: <VerifiedUserIcon /> },
        ]
      : [],
};
