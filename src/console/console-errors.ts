import { apiText, PxError } from '@/common/errors/px.error';
import { ErrorId } from '@/common/errors/error-id';

/**
 * No session, or one idle past CONSOLE_SESSION_TTL or older than CONSOLE_SESSION_MAX_AGE: a browser
 * goes to the sign-in page, an API client gets 401.
 */
export class ConsoleSignedOut extends PxError {
  constructor(readonly expired: boolean) {
    super(ErrorId.UNAUTHORIZED, apiText('console.signIn'));
  }
}

export const csrfRefused = () => new PxError(ErrorId.FORBIDDEN, apiText('console.csrf'));
