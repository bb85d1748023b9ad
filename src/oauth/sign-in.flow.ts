import { Injectable } from '@nestjs/common';
import { AuthService } from '@/auth/auth.service';
import type { ChallengeBody } from '@/auth/challenge-issuer';
import type { Grant } from '@/auth/grant';
import { SendOtpService } from '@/auth/send-otp.service';
import { TwoFactorService } from '@/auth/two-factor.service';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { OAuthCodes } from './oauth-codes.service';
import { PageTexts, pageTexts } from './page-texts';
import type { Page } from './pages';
import { OpenSignIn, SignIns } from './sign-ins';

/** What a step of the sign-in answers: a page, or the redirect back to the client. */
export type Step = { page: Page } | { redirect: string };

type Body = Record<string, unknown>;

/**
 * The hosted sign-in (PRODUCT.md section 14), one flow with the legacy path: the password goes through
 * AuthService.authenticate, the second factor through TwoFactorService.answer and sends through
 * SendOtpService, with the same counters, verifiers and events; only the grant is a code.
 */
@Injectable()
export class SignInFlow {
  constructor(
    private readonly auth: AuthService,
    private readonly twoFactor: TwoFactorService,
    private readonly sendOtps: SendOtpService,
    private readonly codes: OAuthCodes,
    private readonly signIns: SignIns,
  ) {}

  async password(s: OpenSignIn, body: Body): Promise<Step> {
    const username = text(body.username, 256);
    const password = text(body.password, 1024);
    if (!username || !password)
      return { page: this.passwordPage(s, 400, pageTexts(s.row.locale).missingField, username) };
    const input = { username, password, institution_id: s.row.institutionId ?? undefined };
    try {
      const a = await this.auth.authenticate(input, s.row.clientId, s.row.locale, this.grant(s));
      if (a.done) return this.finish(s, { code: a.granted });
      await this.signIns.awaitChallenge(s, a.challenge);
      return { page: this.factorPage(s, 200) };
    } catch (err) {
      return this.refused(s, err, username);
    }
  }

  async send(s: OpenSignIn, body: Body): Promise<Step> {
    const c = s.challenge;
    if (!c || c.challenge.type !== 'otp') return { page: this.passwordPage(s, 400) };
    const method = text(body.send_method_id, 64);
    if (!method) return { page: this.factorPage(s, 400, pageTexts(s.row.locale).missingField) };
    try {
      const input = { challenge_id: c.challenge.id, send_method_id: method };
      await this.sendOtps.send(c.user_id, input, s.row.clientId, 'oauth');
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
      return { page: this.factorPage(s, 400, pageTexts(s.row.locale).missingField) };
    try {
      const r = await this.twoFactor.answer(c.user_id, { challenge_id: c.challenge.id, ...answer }, this.grant(s));
      return this.finish(s, { code: r.granted });
    } catch (err) {
      return this.refused(s, err);
    }
  }

  /** The customer cancelled: access_denied (RFC 6749 4.1.2.1). */
  cancel(s: OpenSignIn): Promise<Step> {
    return this.finish(s, { error: 'access_denied' });
  }

  /** The redirect back, with `state`; the sign-in ends, so its cookie opens nothing any more. */
  async finish(s: OpenSignIn, params: { code: string } | { error: string }): Promise<Step> {
    await this.signIns.end(s);
    return { redirect: redirectTo(s.row.redirectUri, { ...params, state: s.row.state }) };
  }

  /** Sections 3 to 7's refusals, as the pages show them (section 14). Anything else travels on. */
  private async refused(s: OpenSignIn, err: unknown, username?: string): Promise<Step> {
    if (!(err instanceof PxError)) throw err;
    const t = pageTexts(s.row.locale);
    const denied = async (title: string, message: string): Promise<Step> => {
      await this.signIns.end(s);
      const href = redirectTo(s.row.redirectUri, { error: 'access_denied', state: s.row.state });
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
        if (!s.challenge && err.message.startsWith('username:'))
          return { page: this.passwordPage(s, 400, `${t.invalidUsername} (${err.message})`, username) };
        return {
          page: s.challenge ? this.factorPage(s, 400, t.missingField) : this.passwordPage(s, 400, t.missingField),
        };
      default:
        throw err;
    }
  }

  passwordPage(s: OpenSignIn, status: number, error?: string, username?: string): Page {
    const t = pageTexts(s.row.locale);
    return { status, view: 'signin', title: t.signInTitle, t, error, username, csrf: this.signIns.csrfOf(s) };
  }

  factorPage(s: OpenSignIn, status: number, error?: string, sent = false): Page {
    const t: PageTexts = pageTexts(s.row.locale);
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

  private grant(s: OpenSignIn): Grant<string> {
    const binding = {
      clientId: s.row.clientId,
      redirectUri: s.row.redirectUri,
      codeChallenge: s.row.codeChallenge,
      nonce: s.row.nonce,
    };
    return {
      path: 'oauth',
      clientId: s.row.clientId,
      issue: (user) => this.codes.issue(binding, user),
      withdraw: (code) => this.codes.withdraw(code),
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
