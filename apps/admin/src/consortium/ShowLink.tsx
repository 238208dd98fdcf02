import type { MouseEvent, ReactNode } from 'react';
import { Link, useCreatePath } from 'react-admin';

/**
 * A real link to a record's page, so a keyboard user can Tab to it and press Enter (a clickable row alone
 * cannot be reached without a mouse).
 */
export function ShowLink({ resource, id, children }: { resource: string; id: string; children: ReactNode }) {
  const createPath = useCreatePath();
  return (
    <Link
      to={createPath({ resource, type: 'show', id })}
      onClick={(event: MouseEvent) => event.stopPropagation()}
    >
      {children}
    </Link>
  );
}
