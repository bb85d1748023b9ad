import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDateString, IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { apiText, PxError } from '@/common/errors/px.error';
import { EventType } from '@/events/domain-event';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;

// 200: what a user's timeline showed before it was paged, so no reader of the first page loses events.
export const EVENT_PAGE_DEFAULT = 200;
export const EVENT_PAGE_MAX = 500;

/**
 * The filters of one user's timeline, `GET /admin/users/:id/events` (docs/api.md#staff-api): all
 * optional, combined with AND. `from` is inclusive, `to` exclusive, both RFC 3339; `cursor` is the
 * `next_cursor` of the page before (older events) or its `prev_cursor` (newer ones).
 */
export class UserEventQuery {
  @ApiPropertyOptional({ enum: Object.values(EventType) })
  @IsOptional()
  @IsIn(Object.values(EventType), { message: `must be one of ${Object.values(EventType).join(', ')}` })
  type?: EventType;
  @ApiPropertyOptional({ format: 'date-time', description: 'Inclusive.' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'must be an RFC 3339 time' })
  from?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Exclusive.' })
  @IsOptional()
  @IsDateString({ strict: true }, { message: 'must be an RFC 3339 time' })
  to?: string;
  @ApiPropertyOptional({ pattern: '^[A-Za-z0-9._-]{1,128}$' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,128}$/, { message: 'must be a request id' })
  request_id?: string;
  @ApiPropertyOptional({
    pattern: '^[A-Za-z0-9_-]{1,64}$',
    description: "A page's next_cursor (the older events) or prev_cursor (the newer ones), as given.",
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'must be a next_cursor as given' })
  cursor?: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: EVENT_PAGE_MAX, default: EVENT_PAGE_DEFAULT })
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: `must be a whole number from 1 to ${EVENT_PAGE_MAX}` })
  @Min(1, { message: `must be a whole number from 1 to ${EVENT_PAGE_MAX}` })
  @Max(EVENT_PAGE_MAX, { message: `must be a whole number from 1 to ${EVENT_PAGE_MAX}` })
  limit?: number;
}

/** `GET /admin/events`: the same filters, and the user as one of them. */
export class EventQuery extends UserEventQuery {
  @ApiPropertyOptional({ pattern: '^[A-Za-z0-9_-]{1,32}$' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'must be a user_id' })
  user_id?: string;
}

/** An audit event as staff see it: identifiers, outcome and reasons, never a secret (none is stored). */
export interface EventView {
  id: number;
  at: string;
  type: string;
  outcome: string;
  user_id: string | null;
  institution_id: string | null;
  client_id: string | null;
  /** `legacy` (Plaid's API) or `oauth`; null for staff calls, and for older events (see detail.path). */
  path: string | null;
  staff_id: string | null;
  /** For a person signed in to the console through the bank's OpenID Connect provider: their `sub` and name there. */
  staff_sub: string | null;
  staff_name: string | null;
  request_id: string | null;
  source_ip: string | null;
  detail: Record<string, unknown> | null;
}

export interface EventPage {
  events: EventView[];
  /** Pass as `cursor` for the next (older) page; null when this page is the last. */
  next_cursor: string | null;
  /** Pass as `cursor` for the page before it (newer events); null on the newest page. */
  prev_cursor: string | null;
}

/** Where a page starts: just older than an event, or just newer. */
export type EventCursor = { beforeId: number } | { afterId: number };

// The cursor says where the page it leads from stopped: the id of its oldest event (older pages) or
// of its newest (newer ones). Opaque to callers (base64url of a versioned string), so its form can
// change without breaking a client that only passes it back; ids grow with time, so "older than this
// id" is stable while events arrive.
const OLDER = 'ev1:';
const NEWER = 'ev1+:';

export function encodeCursor(cursor: EventCursor): string {
  const text = 'beforeId' in cursor ? `${OLDER}${cursor.beforeId}` : `${NEWER}${cursor.afterId}`;
  return Buffer.from(text).toString('base64url');
}

export function decodeCursor(cursor: string): EventCursor {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const [prefix, key] = text.startsWith(NEWER) ? [NEWER, 'afterId'] : [OLDER, 'beforeId'];
  const id =
    text.startsWith(prefix) && /^\d{1,15}$/.test(text.slice(prefix.length)) ? Number(text.slice(prefix.length)) : 0;
  if (!Number.isSafeInteger(id) || id < 1) throw PxError.invalid(apiText('cursor.invalid'));
  return key === 'afterId' ? { afterId: id } : { beforeId: id };
}

/** An RFC 3339 bound as epoch milliseconds, refusing a time the Date parser cannot place. */
export function boundMs(name: 'from' | 'to', value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw PxError.invalid(apiText('time.invalid', { field: name }));
  return ms;
}
