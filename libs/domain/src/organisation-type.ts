/** The kinds of public body (and their partners) that can join a consortium. */
export const ORGANISATION_TYPES = [
  'county_council',
  'district_council',
  'unitary_council',
  'police',
  'fire_and_rescue',
  'health_body',
  'school_trust',
  'ict_company',
  'other_public_body',
  'voluntary_organisation',
] as const;
export type OrganisationType = (typeof ORGANISATION_TYPES)[number];

export const ORGANISATION_TYPE_LABELS: Record<OrganisationType, string> = {
  county_council: 'County council',
  district_council: 'District or borough council',
  unitary_council: 'Unitary or city council',
  police: 'Police',
  fire_and_rescue: 'Fire and rescue',
  health_body: 'Health body',
  school_trust: 'School or academy trust',
  ict_company: 'ICT company',
  other_public_body: 'Other public body',
  voluntary_organisation: 'Voluntary organisation',
};
