/** The screens later issues add, shown in the menu now so people can see where the product is going. */
export interface Section {
  slug: string;
  label: string;
  /** Who it is for and what it will do, in a sentence. */
  summary: string;
}

export const COMING_SOON: Section[] = [
  {
    slug: 'catalogue',
    label: 'Service catalogue',
    summary: 'Find the services other members provide, compare service levels and prices, and subscribe.',
  },
  {
    slug: 'my-services',
    label: 'My services',
    summary:
      'Publish the services your organisation provides, keep their compliance certificates current, and approve subscription requests.',
  },
  {
    slug: 'subscriptions',
    label: 'Subscriptions',
    summary: 'The services your organisation takes from other members, at the price agreed.',
  },
  {
    slug: 'cross-charges',
    label: 'Cross-charges',
    summary:
      'What your organisation owes and is owed each billing period, line by line, with disputes and credit notes.',
  },
  {
    slug: 'members',
    label: 'Members',
    summary: 'For consortium administrators: members, join requests, billing periods and settlement.',
  },
  {
    slug: 'audit-log',
    label: 'Audit log',
    summary: 'Who changed what, and when, in your organisation and consortia.',
  },
];
