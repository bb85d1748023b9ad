import { AuditEvent } from '@/audit/audit-event.entity';
import { Challenge } from '@/challenge/challenge.entity';
import { KbaQuestion } from '@/kba/kba-question.entity';
import { ServiceSetting } from '@/maintenance/service-setting.entity';
import { OutboxMessage } from '@/otp/delivery/outbox-message.entity';
import { PartnerClient } from '@/partners/partner-client.entity';
import { PartnerSecret } from '@/partners/partner-secret.entity';
import { StaffKey } from '@/staff/staff-key.entity';
import { AuthToken } from '@/tokens/auth-token.entity';
import { LoginGuard } from '@/users/lockout/login-guard.entity';
import { User } from '@/users/user.entity';

export const ENTITIES = [
  AuditEvent,
  AuthToken,
  Challenge,
  KbaQuestion,
  LoginGuard,
  OutboxMessage,
  PartnerClient,
  PartnerSecret,
  ServiceSetting,
  StaffKey,
  User,
];
