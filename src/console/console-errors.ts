import { PxError } from '@/common/errors/px.error';
import { ErrorId } from '@/common/errors/error-id';

/**
 * No session, or one idle past CONSOLE_SESSION_TTL or older than CONSOLE_SESSION_MAX_AGE: a browser
 * goes to the sign-in page, an API client gets 401.
 */
export class ConsoleSignedOut extends PxError {
  constructor(readonly expired: boolean) {
    super(ErrorId.UNAUTHORIZED, 'Sign in to the console first.');
  }
}

export const csrfRefused = () =>
  new PxError(
    ErrorId.FORBIDDEN,
    'The form had no valid security (CSRF) token, or an old one: reload the page and try again.',
  );
