import { layoutSettlement } from '../src/consortium/settlement-picture';

const members = [
  { organisationId: 'kent', organisationName: 'Kent County Council', netMinor: '5000' },
  { organisationId: 'norfolk', organisationName: 'Norfolk County Council', netMinor: '-3000' },
  { organisationId: 'suffolk', organisationName: 'Suffolk County Council', netMinor: '-2000' },
  { organisationId: 'essex', organisationName: 'Essex County Council', netMinor: '0' },
];
const payments = [
  { payerOrganisationId: 'norfolk', payeeOrganisationId: 'kent', amountMinor: '3000' },
  { payerOrganisationId: 'suffolk', payeeOrganisationId: 'kent', amountMinor: '2000' },
];

describe('the settlement plan picture', () => {
  const picture = layoutSettlement(members, payments, 640, 440);
  const node = (id: string) => picture.nodes.find((n) => n.id === id)!;

  it('draws every member once, the first at the top, marked by whether it is owed, owes or is square', () => {
    expect(picture.nodes.map((n) => [n.id, n.standing])).toEqual([
      ['kent', 'owed'],
      ['norfolk', 'owes'],
      ['suffolk', 'owes'],
      ['essex', 'square'],
    ]);
    expect(node('kent').x).toBe(320);
    expect(node('kent').y).toBeLessThan(node('suffolk').y);
  });

  it('keeps every member inside the picture', () => {
    for (const n of picture.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(picture.nodeRadius);
      expect(n.x).toBeLessThanOrEqual(640 - picture.nodeRadius);
      expect(n.y).toBeGreaterThanOrEqual(picture.nodeRadius);
      expect(n.y).toBeLessThanOrEqual(440 - picture.nodeRadius);
    }
  });

  it('draws one arrow per payment, from the payer towards the payee, stopping at the edges of their nodes', () => {
    expect(picture.arrows).toHaveLength(2);
    const [first] = picture.arrows;
    const payer = node('norfolk');
    const payee = node('kent');
    expect(first.amountMinor).toBe('3000');
    const distance = (a: { x: number; y: number }, b: { x: number; y: number }) =>
      Math.hypot(a.x - b.x, a.y - b.y);
    expect(distance(first.from, payer)).toBeCloseTo(picture.nodeRadius, 0);
    expect(distance(first.to, payee)).toBeGreaterThan(picture.nodeRadius);
    expect(distance(first.to, payee)).toBeLessThan(distance(first.from, payee));
  });

  it('gives a payment to someone without a position a node of its own rather than an arrow to nowhere', () => {
    const drawn = layoutSettlement(members.slice(0, 1), payments.slice(0, 1));
    expect(drawn.nodes.map((n) => n.id)).toEqual(['kent', 'norfolk']);
    expect(drawn.arrows).toHaveLength(1);
  });
});
