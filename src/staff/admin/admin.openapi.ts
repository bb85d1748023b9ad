import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { EventPage as EventPageShape, EventView as EventViewShape } from '@/audit/audit-query';
import type { MaintenanceState as MaintenanceShape } from '@/maintenance/maintenance.service';
import type { OutboxView } from '@/otp/delivery/outbox.service';
import type { IssuedCredentials as IssuedShape } from '@/partners/partners.service';
import { FACTOR_KINDS, type FactorKind } from '@/users/factor-kind';
import type { UserSource } from '@/users/user.entity';
import type { UserView as UserShape } from './user-view';
import { SEARCH_KINDS, type SearchKind } from './search-input';
import type {
  LockPage as LockPageShape,
  LockedUser as LockedShape,
  SearchPage as SearchShape,
} from './user-search.service';

/*
 * The admin API's answers as the internal listener's OpenAPI document describes them. Each class
 * implements the type the service returns, so a field the service drops or retypes fails to compile;
 * the services return plain objects, never these classes (entities never leave a service).
 */

type Lock = UserShape['lock'];
type Factors = UserShape['factors'];
type Terms = UserShape['terms'];

class UserSourceView {
  @ApiProperty({ enum: ['local', 'http', 'ldap'], description: 'Where the password is checked.' }) kind: UserSource;
  @ApiProperty({ type: String, nullable: true, description: "The source's reference for a shadow user." })
  reference: string | null;
}
class LockView implements Lock {
  @ApiProperty() locked: boolean;
  @ApiProperty() permanent: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) until: string | null;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the current lock began.' })
  since: string | null;
  @ApiProperty({ type: 'integer', description: 'Wrong answers judged in a row.' }) consecutive_failures: number;
  @ApiProperty({ type: 'integer', description: 'Attempts being judged right now.' }) attempts_in_flight: number;
  @ApiProperty({ type: 'integer' }) locks_in_a_row: number;
}
class SendMethodView {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['sms', 'email', 'voice'] }) type: string;
  @ApiProperty({ description: 'Masked: the destination itself never leaves.' }) mask: string;
}
class KbaQuestionView {
  @ApiProperty() id: string;
  @ApiProperty() text: string;
}
class FactorsView implements Factors {
  @ApiProperty({ type: [SendMethodView] }) otp: SendMethodView[];
  @ApiProperty() totp: boolean;
  @ApiProperty({ type: [KbaQuestionView], description: 'The questions; answers are stored as hashes only.' })
  kba: KbaQuestionView[];
}
class TermsView implements Terms {
  @ApiProperty({ type: 'integer' }) accepted_version: number;
  @ApiProperty({ type: 'integer', description: 'TERMS_VERSION.' }) current_version: number;
  @ApiProperty() pending: boolean;
}

/** A user as support staff see them: no hash, secret or unmasked destination. */
export class UserView implements UserShape {
  @ApiProperty() user_id: string;
  @ApiProperty() username: string;
  @ApiProperty() institution_id: string;
  @ApiProperty({ type: UserSourceView }) source: UserSourceView;
  @ApiProperty({ type: LockView }) lock: LockView;
  @ApiProperty({ type: FactorsView }) factors: FactorsView;
  @ApiProperty({ enum: FACTOR_KINDS, nullable: true }) mfa_preference: FactorKind | null;
  @ApiProperty({ type: TermsView }) terms: TermsView;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}
export class CreatedUser extends UserView {
  @ApiPropertyOptional({ description: 'With totp: the otpauth:// URI, in this answer only.' }) totp_uri?: string;
  @ApiPropertyOptional({ description: 'With totp: the URI as a PNG data URL.' }) totp_qr?: string;
}
export class TokensRevoked {
  @ApiProperty({ type: 'integer', description: "The user's tokens revoked by this call." }) tokens_revoked: number;
}
export class UserPasswordSet extends UserView {
  @ApiProperty({ type: 'integer', description: "The user's tokens revoked by this call." }) tokens_revoked: number;
}

export class EventView implements EventViewShape {
  @ApiProperty({ type: 'integer' }) id: number;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty() type: string;
  @ApiProperty() outcome: string;
  @ApiProperty({ type: String, nullable: true }) user_id: string | null;
  @ApiProperty({ type: String, nullable: true }) institution_id: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The Plaid client, on either path.' })
  client_id: string | null;
  @ApiProperty({
    type: String,
    enum: ['legacy', 'oauth'],
    nullable: true,
    description: "The customer's way in: Plaid's legacy API or OAuth; null for staff calls.",
  })
  path: string | null;
  @ApiProperty({ type: String, nullable: true }) staff_id: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "The provider's `sub` of a person signed in through OIDC.",
  })
  staff_sub: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Their name at the provider, for display.' })
  staff_name: string | null;
  @ApiProperty({ type: String, nullable: true }) request_id: string | null;
  @ApiProperty({ type: String, nullable: true }) source_ip: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'Reasons; no secret.' })
  detail: Record<string, unknown> | null;
}
/** With `q`: how it was read, and the page's cursor; with a request id, that request's events too. */
export class UserList implements Partial<SearchShape> {
  @ApiProperty({ type: [UserView] }) users: UserView[];
  @ApiPropertyOptional({ enum: SEARCH_KINDS, description: 'With q: what it was read as.' })
  interpretation?: SearchKind;
  @ApiPropertyOptional({ type: [EventView], description: 'With a request id: its audit events, newest first.' })
  events?: EventView[];
  @ApiPropertyOptional({ type: String, nullable: true, description: 'With q: pass as `cursor` for the next page.' })
  next_cursor?: string | null;
}

class LockedUserView implements LockedShape {
  @ApiProperty() user_id: string;
  @ApiProperty() username: string;
  @ApiProperty() institution_id: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) locked_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null: until staff unlock it.' })
  until: string | null;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
}
export class LockPage implements LockPageShape {
  @ApiProperty({ type: [LockedUserView], description: 'The newest lock first.' }) locks: LockedUserView[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null at the end.' })
  next_cursor: string | null;
}

export class EventPage implements EventPageShape {
  @ApiProperty({ type: [EventView], description: 'Newest first.' }) events: EventView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next (older) page; null at the end.',
  })
  next_cursor: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the page before (newer events); null on the newest page.',
  })
  prev_cursor: string | null;
}

class OutboxMessage implements OutboxView {
  @ApiProperty({ type: 'integer' }) id: number;
  @ApiProperty({ enum: ['sms', 'email', 'voice'] }) channel: string;
  @ApiProperty() to: string;
  @ApiProperty() body: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}
export class OutboxList {
  @ApiProperty({ type: [OutboxMessage], description: 'What the sandbox delivered, newest first (50 at most).' })
  messages: OutboxMessage[];
}

export class MaintenanceState implements MaintenanceShape {
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) retry_at: string | null;
  @ApiProperty({ type: String, nullable: true }) message: string | null;
}

export class IssuedCredentials implements IssuedShape {
  @ApiProperty() client_id: string;
  @ApiProperty({ description: 'In this answer only: it is stored as a digest.' }) client_secret: string;
  @ApiProperty({ type: 'integer', enum: [1, 2] }) slot: number;
  @ApiPropertyOptional({ type: [String], description: 'On creation: the OAuth redirect URIs.' })
  redirect_uris?: string[];
}
export class RevokedSecret {
  @ApiProperty() client_id: string;
  @ApiProperty({ type: 'integer' }) revoked_slot: number;
  @ApiProperty({ type: 'array', items: { type: 'integer' } }) active_slots: number[];
}
