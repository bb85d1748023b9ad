import { text } from '@/common/i18n/texts';
import { ErrorId, statusOf } from './error-id';

/**
 * A message of the `api` surface of the text catalogue (docs/texts.md, "API error messages"): its key
 * and the values its placeholders take. A bank rewords it with TEXTS_DIR; the wire's `error.id` stays.
 */
export interface ApiText {
  key: string;
  values?: Record<string, string | number>;
}

export const apiText = (key: string, values?: ApiText['values']): ApiText => ({ key, values });

/** The text of `message` in `locale` (English for a language pxauth does not have). */
export const apiMessage = (locale: string, message: ApiText): string =>
  text(locale, 'api', message.key, message.values);

/**
 * The one exception type of the domain: an error id, a safe message, and for 503 a retry time. The
 * message is a catalogue text (by default the id's own, `error.<ID>`), or for the few texts no
 * catalogue holds (a field's validation rule, the CLI's own words) a plain English string.
 * `message` is the English text, for logs and the CLI; the envelope asks `messageIn` for the caller's language.
 */
export class PxError extends Error {
  readonly status: number;
  readonly text?: ApiText;

  constructor(
    readonly id: ErrorId,
    message?: string | ApiText,
    readonly retryAt?: Date,
  ) {
    const catalogued = typeof message === 'string' ? undefined : (message ?? apiText(`error.${id}`));
    super(catalogued ? apiMessage('en', catalogued) : (message as string));
    this.text = catalogued;
    this.status = statusOf(id);
  }

  static unavailable(retryAt: Date, message?: string | ApiText): PxError {
    return new PxError(ErrorId.SERVICE_UNAVAILABLE, message, retryAt);
  }

  static invalid(message: string | ApiText): PxError {
    return new PxError(ErrorId.INVALID_REQUEST, message);
  }

  /** The message as a caller asking for `locale` reads it (Accept-Language; English when none is asked for). */
  messageIn(locale: string): string {
    return this.text ? apiMessage(locale, this.text) : this.message;
  }

  /** Whole seconds until retry_at, at least 1: the Retry-After header (RFC 9110 10.2.3). */
  retryAfterSeconds(now = Date.now()): number {
    return Math.max(1, Math.ceil(((this.retryAt?.getTime() ?? now) - now) / 1000));
  }
}
