/**
 * Secrets never reach a start-up message or a log line (docs/api.md#staff-api: no log line holds a
 * secret in clear). A setting is secret by its name, so that settings added later (TWILIO_AUTH_TOKEN,
 * SMTP_URL, UPSTREAM_HMAC_KEY, LDAP_BIND_PASSWORD) are covered without a list to keep up.
 */
export function isSecretSetting(name: string): boolean {
  return /_(KEYS?|SECRET|TOKEN|PASSWORD)$/.test(name) || name === 'SMTP_URL';
}

export const MASK = '***';

// `scheme://user:password@host`: the password runs to the last `@` of the word, so that an
// unencoded `@` inside it (which drivers tolerate) does not leave its tail in clear (RFC 3986 3.2.1).
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:)\S*@/gi;
// Connection strings also take credentials as query parameters (libpq's `password=`, `sslpassword=`).
const SECRET_PARAM = /([?&][^\s=&#]*(?:pass|secret|token|key)[^\s=&#]*=)[^\s&#]+/gi;

/** `text` with the password of every URL in it, and credential query parameters, masked. */
export function redactUrls(text: string): string {
  return text.replace(URL_PASSWORD, `$1${MASK}@`).replace(SECRET_PARAM, `$1${MASK}`);
}

// A value shorter than this is not replaced where it stands alone in a message: it would garble the
// text (every "a" masked) while telling little; URL passwords of any length are still masked in place.
const MIN_LITERAL = 4;

/**
 * `text` with URL passwords masked, and each secret of `settings` (the value of a secret setting,
 * the password inside a URL setting, raw and percent-decoded) masked wherever it appears: a driver's
 * error may quote it outside the URL.
 */
export function redactSecrets(text: string, settings: Record<string, string | undefined>): string {
  let out = redactUrls(text);
  for (const [name, value] of Object.entries(settings)) {
    if (!value) continue;
    // A list of keys (ENCRYPTION_KEYS) is masked key by key too: a message may quote one of them.
    const own = isSecretSetting(name)
      ? [value, ...(name.endsWith('_KEYS') ? value.split(',').map((s) => s.trim()) : [])]
      : [];
    const secrets = [...own, ...urlSecrets(value)];
    for (const s of secrets) if (s.length >= MIN_LITERAL) out = out.replaceAll(s, MASK);
  }
  return out;
}

function urlSecrets(value: string): string[] {
  const found: string[] = [];
  for (const m of value.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:(\S*)@/gi)) found.push(m[1]);
  for (const m of value.matchAll(/[?&][^\s=&#]*(?:pass|secret|token|key)[^\s=&#]*=([^\s&#]+)/gi)) found.push(m[1]);
  return found.flatMap((s) => [s, decoded(s)]);
}

function decoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
