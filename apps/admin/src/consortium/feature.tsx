import AccountBalanceIcon from '@mui/icons-material/AccountBalance';
import VerifiedUserIcon from '@mui/icons-material/VerifiedUser';
import GavelIcon from '@mui/icons-material/Gavel';
import GroupsIcon from '@mui/icons-material/Groups';
import { Resource } from 'react-admin';
import type { Feature } from '../features/feature';
import { isConsortiumAdmin } from '../roles';
import { ComplianceList } from './ComplianceList';
import { EscalatedDisputeShow, EscalatedDisputesList } from './EscalatedDisputes';
import { MembersList } from './MembersList';
import { PeriodShow } from './PeriodShow';
import { PeriodsList } from './PeriodsList';
import { consortiumResources, RESOURCES } from './resources';

/** Consortium administrators: members, join requests, billing periods, charge runs, close, settlement, escalated disputes. */
export const consortiumFeature: Feature = {
  resources: consortiumResources,
  adminResources: (permissions) =>
    isConsortiumAdmin(permissions)
      ? [
          <Resource key={RESOURCES.members} name={RESOURCES.members} list={MembersList} />,
          <Resource key={RESOURCES.admins} name={RESOURCES.admins} />,
          <Resource key={RESOURCES.periods} name={RESOURCES.periods} list={PeriodsList} show={PeriodShow} />,
          <Resource key={RESOURCES.runs} name={RESOURCES.runs} />,
          <Resource
            key={RESOURCES.disputes}
            name={RESOURCES.disputes}
            list={EscalatedDisputesList}
            show={EscalatedDisputeShow}
          />,
          <Resource key={RESOURCES.compliance} name={RESOURCES.compliance} list={ComplianceList} />,
        ]
      : [],
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
