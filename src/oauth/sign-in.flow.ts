import { Injectable } from '@nestjs/common';
import { AuthService } from '@/auth/auth.service';
import type { ChallengeBody } from '@/auth/challenge-issuer';
import type { Grant } from '@/auth/grant';
import { SendOtpService } from '@/auth/send-otp.service';
import { TwoFactorService } from '@/auth/two-factor.service';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { AppConfig } from '@/config/app-config';
import { OAuthCodes } from './oauth-codes.service';
import { PageTexts, pageTexts } from './page-texts';
import type { Page } from './pages';
import { OpenSignIn, SignIns } from './sign-ins';

/** What a step of the sign-in answers: a page, or the redirect back to the client. */
export type Step = { page: Page } | { redirect: string };

type Body = Record<string, unknown>;

/** Another post on this sign-in ended it or moved it on first: this one may issue no code. */
class SignInTaken extends Error {}

/**
 * The hosted sign-in, one flow with the legacy path (docs/oauth.md): the password goes through
 * AuthService.authenticate, the second factor through TwoFactorService.answer and sends through
 * SendOtpService, with the same counters, verifiers and events; only the grant is a code, and one
 * sign-in gives at most one (SignIns.claimCode, in the grant, before the code exists).
 */
@Injectable()
export class SignInFlow {
  constructor(
    private readonly auth: AuthService,
    private readonly twoFactor: TwoFactorService,
    private readonly sendOtps: SendOtpService,
    private readonly codes: OAuthCodes,
    private readonly signIns: SignIns,
    private readonly config: AppConfig,
  ) {}

  async password(s: OpenSignIn, body: Body): Promise<Step> {
    // Past the password already (a second post, the back button): the factor it waits on, checking nothing.
    if (s.challenge) return { page: this.factorPage(s, 200) };
    const username = text(body.username, 256);
    const password = text(body.password, 1024);
    if (!username || !password)
      return { page: this.passwordPage(s, 400, pageTexts(s.pending.locale).missingField, username) };
    const input = { username, password, institution_id: s.pending.institutionId ?? undefined };
    try {
      const a = await this.auth.authenticate(input, s.pending.clientId, s.pending.locale, this.grant(s));
      if (a.done) return this.back(s, { code: a.granted });
      if (await this.signIns.awaitChallenge(s, a.challenge)) return { page: this.factorPage(s, 200) };
      // Another right password on this sign-in got there first: its challenge is the one to answer.
      const now = await this.signIns.reload(s);
      if (!now?.challenge) return this.taken(s);
      Object.assign(s, now);
      return { page: this.factorPage(s, 200) };
    } catch (err) {
      return this.refused(s, err, username);
    }
  }

  async send(s: OpenSignIn, body: Body): Promise<Step> {
    const c = s.challenge;
    if (!c || c.challenge.type !== 'otp') return { page: this.passwordPage(s, 400) };
    const method = text(body.send_method_id, 64);
    if (!method) return { page: this.factorPage(s, 400, pageTexts(s.pending.locale).missingField) };
    try {
      const input = { challenge_id: c.challenge.id, send_method_id: method };
      await this.sendOtps.send(c.user_id, input, s.pending.clientId, 'oauth');
      return { page: this.factorPage(s, 200, undefined, true) };
    } catch (err) {
      return this.refused(s, err);
    }
  }

  async verify(s: OpenSignIn, body: Body): Promise<Step> {
    const c = s.challenge;
    if (!c) return { page: this.passwordPage(s, 400) };
    const answer =
      c.challenge.type === 'kba' ? { answers: answers(body.answers) } : { passcode: text(body.passcode, 64) };
    if (!answer.passcode && !answer.answers)
      return { page: this.factorPage(s, 400, pageTexts(s.pending.locale).missingField) };
    try {
      const r = await this.twoFactor.answer(c.user_id, { challenge_id: c.challenge.id, ...answer }, this.grant(s));
      return this.back(s, { code: r.granted });
    } catch (err) {
      return this.refused(s, err);
    }
  }

  /** The customer cancelled: access_denied (RFC 6749 4.1.2.1). */
  cancel(s: OpenSignIn): Promise<Step> {
    return this.finish(s, { error: 'access_denied' });
  }

  /** An error redirect back; the sign-in ends, so its cookie opens nothing any more. */
  async finish(s: OpenSignIn, params: { error: string }): Promise<Step> {
    await this.signIns.end(s);
    return this.back(s, params);
  }

  /**
   * The authorization response (RFC 6749 4.1.2, 4.1.2.1) at `redirectUri`: the parameters, `state` as the
   * client sent it, and `iss` (RFC 9207), so that a client talking to several authorization servers can
   * tell which one answered and a mix-up attack is seen.
   */
  responseUri(redirectUri: string, state: string, params: { code: string } | { error: string }): string {
    return redirectTo(redirectUri, { ...params, state, iss: this.config.OAUTH_ISSUER });
  }

  private back(s: OpenSignIn, params: { code: string } | { error: string }): Step {
    return { redirect: this.responseUri(s.pending.redirectUri, s.pending.state, params) };
  }

  /** A post that lost to another on the same sign-in (a double submit): that one's answer is the sign-in's. */
  private taken(s: OpenSignIn): Step {
    const t = pageTexts(s.pending.locale);
    return { page: { status: 409, view: 'notice', title: t.errorTitle, message: t.takenText, t } };
  }

  /** The refusals of the shared login and second-factor steps, as the pages show them. Anything else travels on. */
  private async refused(s: OpenSignIn, err: unknown, username?: string): Promise<Step> {
    if (err instanceof SignInTaken) return this.taken(s);
    if (!(err instanceof PxError)) throw err;
    const t = pageTexts(s.pending.locale);
    const denied = async (title: string, message: string): Promise<Step> => {
      await this.signIns.end(s);
      const href = this.responseUri(s.pending.redirectUri, s.pending.state, { error: 'access_denied' });
      return { page: { status: 403, view: 'notice', title, message, href, t } };
    };
    switch (err.id) {
      case ErrorId.ACCOUNT_LOCKED:
        return denied(t.lockedTitle, t.lockedText);
      case ErrorId.TERMS_NOT_ACCEPTED:
        return denied(t.termsTitle, t.termsText);
      case ErrorId.SERVICE_UNAVAILABLE:
        return this.finish(s, { error: 'temporarily_unavailable' });
      case ErrorId.INVALID_CREDENTIALS:
        return { page: this.passwordPage(s, 401, t.wrongPassword, username) };
      case ErrorId.INVALID_MFA:
        return { page: this.factorPage(s, 401, t.wrongAnswer) };
      case ErrorId.OTP_NOT_SENT:
        return { page: this.factorPage(s, 400, t.otpNotSent) };
      case ErrorId.SEND_LIMIT_REACHED:
        return { page: this.factorPage(s, 400, t.sendLimit) };
      case ErrorId.INVALID_SEND_METHOD:
      case ErrorId.SEND_METHOD_UNAVAILABLE:
        return { page: this.factorPage(s, 400, t.sendRefused) };
      case ErrorId.CHALLENGE_EXPIRED:
      case ErrorId.CHALLENGE_NOT_FOUND:
        await this.signIns.restart(s);
        return { page: this.passwordPage(s, 400, t.challengeEnded) };
      case ErrorId.INVALID_REQUEST:
        // A username RFC 8265 refuses: said as such, with the reason the API gives (`username: ...`).
        if (!s.challenge && err.text?.key.startsWith('username.')) {
          const why = err.messageIn(s.pending.locale);
          return { page: this.passwordPage(s, 400, `${t.invalidUsername} (${why})`, username) };
        }
        return {
          page: s.challenge ? this.factorPage(s, 400, t.missingField) : this.passwordPage(s, 400, t.missingField),
        };
      default:
        throw err;
    }
  }

  passwordPage(s: OpenSignIn, status: number, error?: string, username?: string): Page {
    const t = pageTexts(s.pending.locale);
    return { status, view: 'signin', title: t.signInTitle, t, error, username, csrf: this.signIns.csrfOf(s) };
  }

  factorPage(s: OpenSignIn, status: number, error?: string, sent = false): Page {
    const t: PageTexts = pageTexts(s.pending.locale);
    const c = s.challenge as ChallengeBody;
    const common = { status, title: t.verifyTitle, t, error, csrf: this.signIns.csrfOf(s) };
    switch (c.challenge.type) {
      case 'otp':
        return { ...common, view: 'otp', methods: c.challenge.send_methods, sent };
      case 'totp':
        return { ...common, view: 'totp' };
      case 'kba':
        return { ...common, view: 'kba', questions: c.challenge.questions };
    }
  }

  /**
   * The code, if this sign-in is still at the step this request judged: the claim ends it in one
   * conditional statement first, so two posts at once (on one replica or several) give one code.
   */
  private grant(s: OpenSignIn): Grant<string> {
    const binding = {
      clientId: s.pending.clientId,
      redirectUri: s.pending.redirectUri,
      codeChallenge: s.pending.codeChallenge,
      nonce: s.pending.nonce,
    };
    return {
      path: 'oauth',
      clientId: s.pending.clientId,
      issue: async (user) => {
        if (!(await this.signIns.claimCode(s, user.id))) throw new SignInTaken();
        return this.codes.issue(binding, user);
      },
      withdraw: async (code) => {
        await this.codes.withdraw(code);
        await this.signIns.reopen(s);
      },
    };
  }
}

/** `redirectUri` with the parameters added to its query (RFC 6749 4.1.2: it may have a query already). */
export function redirectTo(redirectUri: string, params: Record<string, string>): string {
  const u = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== '') u.searchParams.append(k, v);
  return u.toString();
}

function text(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.length >= 1 && value.length <= max ? value : undefined;
}

function answers(value: unknown): { question_id: string; text: string }[] | undefined {
  if (!Array.isArray(value) || value.length < 1 || value.length > 10) return undefined;
  const out = value.map((a: unknown) => {
    const o = (a ?? {}) as Record<string, unknown>;
    const question_id = text(o.question_id, 64);
    const answer = text(o.text, 256);
    return question_id && answer ? { question_id, text: answer } : undefined;
  });
  return out.every((a) => a !== undefined) ? out : undefined;
}
