import { Box, useMediaQuery, useTheme } from '@mui/material';
import { useId } from 'react';
import { formatMoneyAbsolute } from '../format/money';
import { layoutSettlement, type PictureMember, type PicturePayment } from './settlement-picture';
import { shortName } from './words';

const FILL = { owed: '#1b5e20', owes: '#b71c1c', square: '#616161' } as const;

/**
 * Who pays whom, as a picture: members on a circle (green when owed, red when they owe), an arrow from each payer
 * to its payee labelled with the amount. The same facts are listed in words beside it for screen readers.
 */
export function SettlementPicture({
  members,
  payments,
  summary,
}: {
  members: PictureMember[];
  payments: PicturePayment[];
  summary: string;
}) {
  const markerId = useId().replace(/:/g, '');
  // A phone shows the picture smaller: a tighter drawing keeps its names and amounts readable there.
  const narrow = useMediaQuery(useTheme().breakpoints.down('sm'));
  const picture = narrow
    ? layoutSettlement(members, payments, 420, 400)
    : layoutSettlement(members, payments);
  return (
    <Box sx={{ width: '100%', maxWidth: picture.width, overflow: 'visible' }}>
      <svg
        viewBox={`0 0 ${picture.width} ${picture.height}`}
        width="100%"
        role="img"
        aria-label={summary}
        data-testid="settlement-picture"
        style={{ display: 'block', overflow: 'visible' }}
      >
        <defs>
          <marker
            id={markerId}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#0d47a1" />
          </marker>
        </defs>
        {picture.arrows.map((arrow) => (
          <g key={arrow.key}>
            <line
              x1={arrow.from.x}
              y1={arrow.from.y}
              x2={arrow.to.x}
              y2={arrow.to.y}
              stroke="#0d47a1"
              strokeWidth={2}
              markerEnd={`url(#${markerId})`}
            />
            <text
              x={arrow.labelX}
              y={arrow.labelY}
              textAnchor="middle"
              fontSize={13}
              fontWeight={600}
              fill="#0d47a1"
              stroke="#fff"
              strokeWidth={4}
              paintOrder="stroke"
            >
              {formatMoneyAbsolute(arrow.amountMinor)}
            </text>
          </g>
        ))}
        {picture.nodes.map((node) => (
          <g key={node.id}>
            <title>{node.name}</title>
            <circle cx={node.x} cy={node.y} r={picture.nodeRadius} fill={FILL[node.standing]} />
            <text x={node.labelX} y={node.labelY} textAnchor={node.labelAnchor} fontSize={13} fill="#212121">
              {shortName(node.name)}
            </text>
          </g>
        ))}
      </svg>
    </Box>
  );
}
