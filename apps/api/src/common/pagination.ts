import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Brackets, DataSource, ObjectLiteral, QueryFailedError, SelectQueryBuilder } from 'typeorm';
import { preparedRawMany } from '../database/prepared-query';
import { invalid } from './problem';

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;
/** A cursor holds the sort, the last row's sort value (at most a few hundred characters) and its id, base64url. */
export const MAX_CURSOR_LENGTH = 2048;

/**
 * The one list convention: `limit` (capped), an opaque `cursor` from the previous page, and `sort` naming one
 * field, prefixed with `-` for descending. Filters are plain query parameters named after the field they filter.
 */
export class PageQuery {
  @ApiPropertyOptional({
    description: 'How many items to return (1 to 200, default 50)',
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({
    description: 'The `page.nextCursor` of the previous page',
    maxLength: MAX_CURSOR_LENGTH,
    pattern: '^[A-Za-z0-9_-]+$',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_CURSOR_LENGTH)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'cursor is not a cursor this API issued' })
  cursor?: string;

  /** A sortable field, `-field` for descending. */
  @ApiPropertyOptional({
    description: 'A sortable field; prefix with - for descending',
    example: '-createdAt',
    maxLength: 64,
    pattern: '^-?[a-zA-Z]+$',
  })
  @IsOptional()
  @MaxLength(64)
  @Matches(/^-?[a-zA-Z]+$/, { message: 'sort must be a field name, optionally prefixed with -' })
  sort?: string;
}

// Not a .dto.ts file, so the swagger plugin does not see these: documented by hand.
export class PageInfo {
  @ApiProperty({
    type: String,
    nullable: true,
    maxLength: MAX_CURSOR_LENGTH,
    description: 'Pass as `cursor` to get the next page; null on the last page.',
  })
  nextCursor!: string | null;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    description: 'The page size used',
  })
  limit!: number;
}

export interface Page<T> {
  data: T[];
  page: PageInfo;
}

export interface SortSpec {
  /** API field name → SQL expression (qualified with the query alias) of a NOT NULL column. */
  fields: Record<string, string>;
  /** The default, e.g. `-createdAt`. */
  default: string;
  /** A unique column breaking ties so the order is total, e.g. `o.id`. */
  tieBreaker: string;
}

/** What a cursor carries: the sort it was issued for, the last row's sort value and its tie-breaker. */
interface Cursor {
  s: string;
  v: string | null;
  id: string;
}

// Read back from the database as text, so a cursor holds the exact value (a timestamp keeps its microseconds,
// which a JavaScript Date would round away, making the next page repeat or skip rows).
const CURSOR_VALUE = 'paginate_cursor_value';
const CURSOR_ID = 'paginate_cursor_id';

function decodeCursor(cursor: string, sort: string): Cursor {
  let parsed: Cursor;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      typeof parsed.s !== 'string' ||
      typeof parsed.id !== 'string' ||
      (typeof parsed.v !== 'string' && parsed.v !== null)
    ) {
      throw new Error();
    }
  } catch {
    throw invalidCursor('cursor is malformed');
  }
  if (parsed.s !== sort) throw invalidCursor(`cursor was issued for sort=${parsed.s}, not sort=${sort}`);
  return parsed;
}

const invalidCursor = (message: string) =>
  invalid('cursor is not a cursor this API issued for this list', [{ field: 'cursor', message }]);

/** The parts of a keyset page query that entities and raw rows share. */
interface KeysetPlan {
  limit: number;
  sort: string;
  column: string;
  direction: 'ASC' | 'DESC';
}

/** Resolves `sort`, applies the cursor's condition and selects the cursor values; the caller fetches. */
function planKeysetPage<E extends ObjectLiteral>(
  query: SelectQueryBuilder<E>,
  page: PageQuery,
  spec: SortSpec,
): KeysetPlan {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  const sort = page.sort ?? spec.default;
  const descending = sort.startsWith('-');
  const field = descending ? sort.slice(1) : sort;
  // Own properties only: `sort=constructor` (or toString, valueOf…) would otherwise find Object.prototype's.
  const column = Object.hasOwn(spec.fields, field) ? spec.fields[field] : undefined;
  if (!column) {
    throw invalid(`Cannot sort by ${field}`, [
      { field: 'sort', message: `sort must be one of: ${Object.keys(spec.fields).join(', ')}` },
    ]);
  }
  if (page.cursor) {
    const cursor = decodeCursor(page.cursor, sort);
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
  query
    .addSelect(`(${column})::text`, CURSOR_VALUE)
    .addSelect(`(${spec.tieBreaker})::text`, CURSOR_ID)
    .orderBy(column, descending ? 'DESC' : 'ASC')
    .addOrderBy(spec.tieBreaker, descending ? 'DESC' : 'ASC');
  return { limit, sort, column, direction: descending ? 'DESC' : 'ASC' };
}

/** Runs the page query; a data exception (class 22: bad date, bad uuid…) can only come from a tampered cursor. */
async function fetchKeysetPage<R>(page: PageQuery, fetch: () => Promise<R>): Promise<R> {
  try {
    return await fetch();
  } catch (error) {
    const code = (error as { driverError?: { code?: string } }).driverError?.code ?? '';
    if (page.cursor && error instanceof QueryFailedError && code.startsWith('22')) {
      throw invalidCursor('cursor holds a value this list cannot sort by');
    }
    throw error;
  }
}

function encodeCursor(sort: string, raw: Record<string, unknown> | undefined): string | null {
  if (!raw) return null;
  const cursor: Cursor = {
    s: sort,
    v: (raw[CURSOR_VALUE] as string | null) ?? null,
    id: String(raw[CURSOR_ID]),
  };
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/**
 * Keyset pagination over a query builder: stable under concurrent inserts and cheap on deep pages.
 * `toItem` maps entities to response DTOs. The sort field's SQL expression is also selected as text for the cursor;
 * `spec.tieBreaker` must be the main entity's primary key (its value is matched to `entity.id`). When the query
 * joins relations, name sort columns by property (`m.createdAt`, `o.name`): TypeORM's join-aware paging needs that.
 */
export async function paginate<E extends ObjectLiteral, T>(
  query: SelectQueryBuilder<E>,
  page: PageQuery,
  spec: SortSpec,
  toItem: (entity: E) => T,
): Promise<Page<T>> {
  const plan = planKeysetPage(query, page, spec);
  // take() pages by distinct main rows, which costs a second statement (the page's ids, then their rows) and is
  // needed only when a join can repeat a row; a query joining only to-one relations pages with a plain LIMIT.
  const rowsRepeat = query.expressionMap.joinAttributes.some(
    (join) => !join.relation || join.relation.isOneToMany || join.relation.isManyToMany,
  );
  if (rowsRepeat) query.take(plan.limit + 1);
  else query.limit(plan.limit + 1);
  const result = await fetchKeysetPage(page, () => query.getRawAndEntities());
  const items = result.entities.slice(0, plan.limit);
  const last = items[items.length - 1] as Record<string, unknown> | undefined;
  const lastRaw = last ? result.raw.find((row) => row[CURSOR_ID] === String(last.id)) : undefined;
  const nextCursor = result.entities.length > plan.limit ? encodeCursor(plan.sort, lastRaw) : null;
  return { data: items.map(toItem), page: { nextCursor, limit: plan.limit } };
}

/**
 * paginate() for rows that are not entities (a query over a derived table, e.g. one with window functions): the
 * same cursors, sorts and page shape. `spec.fields` and `spec.tieBreaker` are SQL expressions over the query's
 * columns. `options.preparedOn` runs the page as a named prepared statement on that data source (outside any
 * transaction), for hot lists whose every value is a parameter (see preparedRawMany).
 */
export async function paginateRows<R extends Record<string, unknown>, T>(
  query: SelectQueryBuilder<ObjectLiteral>,
  page: PageQuery,
  spec: SortSpec,
  toItem: (row: R) => T,
  options: { preparedOn?: DataSource } = {},
): Promise<Page<T>> {
  const plan = planKeysetPage(query, page, spec);
  query.limit(plan.limit + 1);
  const rows = await fetchKeysetPage(page, () =>
    options.preparedOn ? preparedRawMany<R>(options.preparedOn, query) : query.getRawMany<R>(),
  );
  const items = rows.slice(0, plan.limit);
  const nextCursor = rows.length > plan.limit ? encodeCursor(plan.sort, items[items.length - 1]) : null;
  return { data: items.map(toItem), page: { nextCursor, limit: plan.limit } };
}
