/**
 * The geometry of the settlement plan picture: members on a circle, one arrow per payment from payer to payee.
 * Plain TypeScript (no React), so the layout is unit-tested without a browser.
 */

export interface PictureMember {
  organisationId: string;
  organisationName: string;
  netMinor: string;
}

export interface PicturePayment {
  payerOrganisationId: string;
  payeeOrganisationId: string;
  amountMinor: string;
}

export interface PictureNode {
  id: string;
  name: string;
  x: number;
  y: number;
  /** Where the name goes, away from the circle's centre. */
  labelX: number;
  labelY: number;
  labelAnchor: 'start' | 'middle' | 'end';
  standing: 'owed' | 'owes' | 'square';
}

export interface PictureArrow {
  key: string;
  from: { x: number; y: number };
  to: { x: number; y: number };
  labelX: number;
  labelY: number;
  amountMinor: string;
}

export interface Picture {
  width: number;
  height: number;
  nodeRadius: number;
  nodes: PictureNode[];
  arrows: PictureArrow[];
}

const round = (value: number) => Math.round(value * 10) / 10;

function standingOf(netMinor: string): PictureNode['standing'] {
  const net = BigInt(netMinor);
  return net > 0n ? 'owed' : net < 0n ? 'owes' : 'square';
}

/**
 * Places every member with a position on a circle (first at the top, clockwise, in the order given) and draws each
 * payment as a straight arrow between the edges of its two nodes, its amount labelled beside the arrow's middle.
 * A payment naming a member without a position still gets a node, so no arrow ever points at nothing.
 */
export function layoutSettlement(
  members: PictureMember[],
  payments: PicturePayment[],
  width = 640,
  height = 440,
): Picture {
  const nodeRadius = 12;
  const all = new Map<string, PictureMember>();
  for (const member of members) all.set(member.organisationId, member);
  for (const payment of payments) {
    for (const id of [payment.payerOrganisationId, payment.payeeOrganisationId]) {
      if (!all.has(id)) all.set(id, { organisationId: id, organisationName: id, netMinor: '0' });
    }
  }
  const cx = width / 2;
  const cy = height / 2;
  // Room for the names outside the circle: a fifth of the width, at most what the longest short name needs.
  const labelRoom = Math.min(110, width * 0.2);
  const radius = Math.max(40, Math.min(width / 2 - labelRoom, height / 2 - 40));
  const list = [...all.values()];
  const nodes = list.map((member, index): PictureNode => {
    const angle = -Math.PI / 2 + (2 * Math.PI * index) / Math.max(list.length, 1);
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const x = cx + radius * cos;
    const y = cy + radius * sin;
    const labelDistance = nodeRadius + 8;
    return {
      id: member.organisationId,
      name: member.organisationName,
      x: round(x),
      y: round(y),
      labelX: round(x + labelDistance * cos),
      labelY: round(y + labelDistance * sin + (Math.abs(sin) > 0.9 ? (sin > 0 ? 8 : 0) : 4)),
      labelAnchor: Math.abs(cos) < 0.2 ? 'middle' : cos > 0 ? 'start' : 'end',
      standing: standingOf(member.netMinor),
    };
  });
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const nodeFor = (id: string): PictureNode => {
    const node = byId.get(id);
    if (!node) throw new Error(`No node for ${id}`);
    return node;
  };

  const arrows = payments.map((payment, index): PictureArrow => {
    const from = nodeFor(payment.payerOrganisationId);
    const to = nodeFor(payment.payeeOrganisationId);
    const dx = to.x - from.x;
    const dy = to.y - from.y;
    const length = Math.hypot(dx, dy) || 1;
    const ux = dx / length;
    const uy = dy / length;
    // Stop short of the payee's node so the arrowhead sits on its edge.
    const start = { x: round(from.x + ux * nodeRadius), y: round(from.y + uy * nodeRadius) };
    const end = { x: round(to.x - ux * (nodeRadius + 6)), y: round(to.y - uy * (nodeRadius + 6)) };
    // The label sits a little to the left of the direction of travel, so two arrows between a pair never share it.
    const midX = (start.x + end.x) / 2;
    const midY = (start.y + end.y) / 2;
    return {
      key: `${payment.payerOrganisationId}->${payment.payeeOrganisationId}#${index}`,
      from: start,
      to: end,
      labelX: round(midX + uy * 12),
      labelY: round(midY - ux * 12),
      amountMinor: payment.amountMinor,
    };
  });
  return { width, height, nodeRadius, nodes, arrows };
}
