import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { Brackets, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { invalid } from './problem';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

/**
 * The one list convention: `limit` (capped), an opaque `cursor` from the previous page, and `sort` naming one
 * field, prefixed with `-` for descending. Filters are plain query parameters named after the field they filter.
 */
export class PageQuery {
  /** How many items to return (1 to 200). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  /** The `nextCursor` of the previous page. */
  @IsOptional()
  @IsString()
  cursor?: string;

  /** A sortable field, `-field` for descending. */
  @ApiPropertyOptional({ example: '-createdAt' })
  @IsOptional()
  @Matches(/^-?[a-zA-Z]+$/, { message: 'sort must be a field name, optionally prefixed with -' })
  sort?: string;
}

export class PageInfo {
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor!: string | null;
  limit!: number;
}

export interface Page<T> {
  data: T[];
  page: PageInfo;
}

export interface SortSpec {
  /** API field name → SQL expression (qualified with the query alias). */
  fields: Record<string, string>;
  /** The default, e.g. `-createdAt`. */
  default: string;
  /** A unique column breaking ties so the order is total, e.g. `o.id`. */
  tieBreaker: string;
}

interface Cursor {
  v: unknown;
  id: string;
}

function decodeCursor(cursor: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.id !== 'string') throw new Error();
    return parsed;
  } catch {
    throw invalid('cursor is not a cursor this API issued', [
      { field: 'cursor', message: 'cursor is malformed' },
    ]);
  }
}

/**
 * Keyset pagination over a query builder: stable under concurrent inserts and cheap on deep pages.
 * `toItem` maps entities to response DTOs; `sortValue` reads the sort field back off an entity for the cursor.
 */
export async function paginate<E extends ObjectLiteral, T>(
  query: SelectQueryBuilder<E>,
  page: PageQuery,
  spec: SortSpec,
  toItem: (entity: E) => T,
): Promise<Page<T>> {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  const sort = page.sort ?? spec.default;
  const descending = sort.startsWith('-');
  const field = descending ? sort.slice(1) : sort;
  const column = spec.fields[field];
  if (!column) {
    throw invalid(`Cannot sort by ${field}`, [
      { field: 'sort', message: `sort must be one of: ${Object.keys(spec.fields).join(', ')}` },
    ]);
  }
  const direction = descending ? 'DESC' : 'ASC';
  if (page.cursor) {
    const cursor = decodeCursor(page.cursor);
    const op = descending ? '<' : '>';
    query.andWhere(
      new Brackets((where) =>
        where
          .where(`${column} ${op} :cursorValue`, { cursorValue: cursor.v })
          .orWhere(`(${column} = :cursorValue AND ${spec.tieBreaker} ${op} :cursorId)`, {
            cursorId: cursor.id,
          }),
      ),
    );
  }
  const rows = await query
    .orderBy(column, direction)
    .addOrderBy(spec.tieBreaker, direction)
    .take(limit + 1)
    .getMany();
  const hasMore = rows.length > limit;
  const items = rows.slice(0, limit);
  const last = items[items.length - 1] as Record<string, unknown> | undefined;
  const nextCursor =
    hasMore && last
      ? Buffer.from(JSON.stringify({ v: serialiseCursorValue(last[field]), id: String(last.id) })).toString(
          'base64url',
        )
      : null;
  return { data: items.map(toItem), page: { nextCursor, limit } };
}

function serialiseCursorValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}
