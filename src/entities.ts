import { AuditEvent } from '@/audit/audit-event.entity';
import { Challenge } from '@/challenge/challenge.entity';
import { ConsoleSession } from '@/console/console-session.entity';
import { KbaQuestion } from '@/kba/kba-question.entity';
import { ServiceSetting } from '@/maintenance/service-setting.entity';
import { OutboxMessage } from '@/otp/delivery/outbox-message.entity';
import { OAuthCode } from '@/oauth/oauth-code.entity';
import { SignIn } from '@/oauth/sign-in.entity';
import { PartnerClient } from '@/partners/partner-client.entity';
import { PartnerRedirectUri } from '@/partners/partner-redirect-uri.entity';
import { PartnerSecret } from '@/partners/partner-secret.entity';
import { StaffKey } from '@/staff-auth/staff-key.entity';
import { AuthToken } from '@/tokens/auth-token.entity';
import { LegacyHashSetting } from '@/users/legacy-hash-setting.entity';
import { LoginGuard } from '@/users/lockout/login-guard.entity';
import { User } from '@/users/user.entity';

/**
 * Every entity, as each module registers its own (TypeOrmModule.forFeature): assembled here, at the top,
 * for what runs without the Nest app's modules (the TypeORM CLI's ormconfig.ts, the schema test).
 */
export const ENTITIES = [
  AuditEvent,
  AuthToken,
  Challenge,
  ConsoleSession,
  KbaQuestion,
  LegacyHashSetting,
  LoginGuard,
  OutboxMessage,
  OAuthCode,
  PartnerClient,
  PartnerRedirectUri,
  PartnerSecret,
  ServiceSetting,
  SignIn,
  StaffKey,
  User,
];
