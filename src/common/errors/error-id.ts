import { text } from '@/common/i18n/texts';

/**
 * The wire contract is `error.id` (docs/api.md#requests-and-errors). Every id maps to exactly one status;
 * the ids below the line are the internal listener's own (admin API, introspection).
 */
export enum ErrorId {
  INVALID_REQUEST = 'INVALID_REQUEST',
  UNSUPPORTED_VERSION = 'UNSUPPORTED_VERSION',
  CHALLENGE_NOT_FOUND = 'CHALLENGE_NOT_FOUND',
  CHALLENGE_EXPIRED = 'CHALLENGE_EXPIRED',
  INVALID_SEND_METHOD = 'INVALID_SEND_METHOD',
  OTP_NOT_SENT = 'OTP_NOT_SENT',
  SEND_LIMIT_REACHED = 'SEND_LIMIT_REACHED',
  SEND_METHOD_UNAVAILABLE = 'SEND_METHOD_UNAVAILABLE',
  INVALID_CLIENT = 'INVALID_CLIENT',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  INVALID_MFA = 'INVALID_MFA',
  ACCOUNT_LOCKED = 'ACCOUNT_LOCKED',
  TERMS_NOT_ACCEPTED = 'TERMS_NOT_ACCEPTED',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  INTERNAL_ERROR = 'INTERNAL_ERROR',
  // internal listener
  UNAUTHORIZED = 'UNAUTHORIZED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED',
  CONFLICT = 'CONFLICT',
}

export function statusOf(id: ErrorId): number {
  switch (id) {
    case ErrorId.INVALID_REQUEST:
    case ErrorId.UNSUPPORTED_VERSION:
    case ErrorId.CHALLENGE_NOT_FOUND:
    case ErrorId.CHALLENGE_EXPIRED:
    case ErrorId.INVALID_SEND_METHOD:
    case ErrorId.OTP_NOT_SENT:
    case ErrorId.SEND_LIMIT_REACHED:
    case ErrorId.SEND_METHOD_UNAVAILABLE:
      return 400;
    case ErrorId.INVALID_CLIENT:
    case ErrorId.INVALID_CREDENTIALS:
    case ErrorId.INVALID_MFA:
    case ErrorId.UNAUTHORIZED:
      return 401;
    case ErrorId.ACCOUNT_LOCKED:
    case ErrorId.FORBIDDEN:
      return 403;
    case ErrorId.NOT_FOUND:
      return 404;
    case ErrorId.TERMS_NOT_ACCEPTED:
    case ErrorId.METHOD_NOT_ALLOWED:
      return 405;
    case ErrorId.CONFLICT:
      return 409;
    case ErrorId.SERVICE_UNAVAILABLE:
      return 503;
    case ErrorId.INTERNAL_ERROR:
      return 500;
    default:
      return assertUnreachable(id);
  }
}

export function assertUnreachable(x: never): never {
  throw new Error(`unreachable: ${String(x)}`);
}

/** The default message of an id, in English: the catalogue's `api` text `error.<ID>` (docs/texts.md). */
export const defaultMessage = (id: ErrorId) => text('en', 'api', `error.${id}`);
