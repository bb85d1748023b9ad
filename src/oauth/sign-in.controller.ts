import { Controller, Get, Logger, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorId } from '@/common/errors/error-id';
import { PxError } from '@/common/errors/px.error';
import { ServedOn } from '@/common/http/listener.guard';
import { RequestContextStore } from '@/common/http/request-context';
import { localeOf } from '@/common/i18n/messages';
import { isDatabaseUnavailable } from '@/database/errors';
import { MaintenanceService } from '@/maintenance/maintenance.service';
import { PartnersService } from '@/partners/partners.service';
import { matchesRegistered } from '@/partners/redirect-uris';
import { IdTokenSigner } from './id-token.signer';
import {
  ApiAuthorize,
  ApiJwks,
  ApiSignInCss,
  ApiSignInStep,
  CancelForm,
  SendForm,
  SignInForm,
  VerifyForm,
} from './oauth.openapi';
import { PageTexts, pageTexts } from './page-texts';
import { Pages, cookieOf } from './pages';
import { S256_CHALLENGE } from './pkce';
import { SignInFlow, Step } from './sign-in.flow';
import { OpenSignIn, SignIns } from './sign-ins';

/**
 * Plaid's `state` is opaque to us but bounded: RFC 6749 Appendix A.5 makes it printable ASCII (VSCHAR),
 * and 1,024 characters is several times the base64 blob Plaid sends. The bound keeps the sealed sign-in
 * cookie within what a browser stores (docs/oauth.md).
 */
export const STATE_MAX = 1024;
const VSCHARS = /^[\x20-\x7e]*$/;

/**
 * Plaid's authorization endpoint and the hosted sign-in pages, on the public listener (docs/oauth.md).
 * Plain forms: the pages work without JavaScript, and curl can walk them.
 *
 * Throttled per source address by SignInPagesThrottle (OAUTH_THROTTLE_PER_ADDRESS), before anything is
 * read or checked: a throttled sign-in POST checks no password and counts no attempt. Not per client: the
 * client_id of a sign-in is known (the authorize request named it, checked against the registered clients
 * and redirect URIs) but not authenticated, since anyone can open the public authorize URL with any
 * client's id; counting these pages per client would let one attacker spend a client's whole allowance.
 * What bounds a guesser spread over many addresses is the per-user lockout.
 */
@ServedOn('public')
@Controller('oauth2')
export class SignInController {
  private readonly log = new Logger('OAuthPages');

  constructor(
    private readonly flow: SignInFlow,
    private readonly signIns: SignIns,
    private readonly pages: Pages,
    private readonly partners: PartnersService,
    private readonly maintenance: MaintenanceService,
    private readonly signer: IdTokenSigner,
  ) {}

  @Get('authorize')
  @ApiAuthorize(STATE_MAX)
  async authorize(@Req() req: Request, @Res() res: Response): Promise<void> {
    this.assertEnabled();
    const locale = localeOf(req);
    const t = pageTexts(locale);
    const q = req.query as Record<string, unknown>;
    const clientId = single(q.client_id, 64);
    const redirectUri = single(q.redirect_uri, 512);
    // Absent is allowed (RFC 6749 4.1.1: RECOMMENDED); repeated or empty is no value we could echo.
    const state = q.state === undefined ? '' : single(q.state, Number.MAX_SAFE_INTEGER);
    // An unknown client or redirect URI is a page, never a redirect (RFC 6749 4.1.2.1; Plaid's guide).
    const registered = clientId ? await this.partners.redirectUrisOf(clientId) : [];
    if (!clientId || !redirectUri || !matchesRegistered(redirectUri, registered) || state === undefined)
      return this.errorPage(res, 400, t, t.badRequestText);
    // Over the bound, a page too: a redirect must carry the exact state back (4.1.2.1), and one of any
    // length in a Location header is what a proxy in front may refuse to pass; Plaid's own is far shorter.
    if (state.length > STATE_MAX || !VSCHARS.test(state)) {
      this.log.warn({ client_id: clientId, state_length: state.length }, 'authorize refused: state over the bound');
      return this.errorPage(res, 400, t, t.badRequestText);
    }
    const fail = (error: string) => this.pages.redirect(res, this.flow.responseUri(redirectUri, state, { error }));

    if (q.response_type !== 'code') return fail('unsupported_response_type');
    const challenge = q.code_challenge;
    const method = q.code_challenge_method;
    // S256 only: `plain` (or no method, which means plain) would hand the challenge out as the verifier.
    if (
      (challenge !== undefined || method !== undefined) &&
      (method !== 'S256' || typeof challenge !== 'string' || !S256_CHALLENGE.test(challenge))
    )
      return fail('invalid_request');
    const nonce = q.nonce === undefined ? null : single(q.nonce, 256);
    if (nonce === undefined) return fail('invalid_request');
    if (await this.maintenance.closed()) return fail('temporarily_unavailable');

    // Nothing is written: the sign-in is its sealed cookie until the password is right.
    const s = this.signIns.start(
      {
        clientId,
        redirectUri,
        state,
        codeChallenge: typeof challenge === 'string' ? challenge : null,
        nonce,
        institutionId: null,
      },
      locale,
    );
    this.pages.setCookie(req, res, this.signIns.cookieOf(s), s.pending.expiresAt);
    this.pages.render(res, this.flow.passwordPage(s, 200), redirectUri);
  }

  @Post('signin')
  @ApiSignInStep('The password', SignInForm, [
    [200, 'The second factor to answer, or the same page again (a second post on a sign-in past its password).'],
    [400, 'A field missing, a username RFC 8265 refuses, or a sign-in that expired.'],
    [401, 'The password page again: the username or password is incorrect.'],
    [409, 'Another post on this sign-in got there first (a double submit).'],
  ])
  signIn(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.step(req, res, (s) => this.flow.password(s, req.body as Record<string, unknown>));
  }

  @Post('send')
  @ApiSignInStep('Send a passcode (OTP challenges)', SendForm, [
    [200, 'The passcode page, saying it was sent.'],
    [400, 'A refused send method, the send limit, no OTP challenge, or a sign-in that expired.'],
  ])
  send(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.step(req, res, (s) => this.flow.send(s, req.body as Record<string, unknown>));
  }

  @Post('verify')
  @ApiSignInStep('The passcode, TOTP code or KBA answers', VerifyForm, [
    [400, 'A field missing, no passcode sent yet, an ended challenge, or a sign-in that expired.'],
    [401, 'The factor page again: the answer is incorrect.'],
    [409, 'Another post on this sign-in got there first (a double submit).'],
  ])
  verify(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.step(req, res, (s) => this.flow.verify(s, req.body as Record<string, unknown>));
  }

  @Post('cancel')
  @ApiSignInStep('Cancel: access_denied to the client (RFC 6749 4.1.2.1)', CancelForm, [
    [400, 'A sign-in that expired.'],
  ])
  cancel(@Req() req: Request, @Res() res: Response): Promise<void> {
    return this.step(req, res, (s) => this.flow.cancel(s));
  }

  // The stylesheet of every page and the public key check nothing and read no database: not throttled
  // (OAuthModule leaves them out), so that a page load costs one request of the address's allowance.
  @Get('assets/signin.css')
  @ApiSignInCss()
  css(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type('text/css').send(this.pages.css);
  }

  /** The id_token's public key (JWKS), for a client library or the bank; Plaid itself reads only `sub`. */
  @Get('jwks')
  @ApiJwks()
  jwks(): ReturnType<IdTokenSigner['jwks']> {
    this.assertEnabled();
    return this.signer.jwks();
  }

  /** Every form: the sign-in of this browser's cookie, the CSRF token of that sign-in, then the step. */
  private async step(req: Request, res: Response, run: (s: OpenSignIn) => Promise<Step>): Promise<void> {
    this.assertEnabled();
    const s = await this.signIns.find(cookieOf(req));
    const t = pageTexts(s?.pending.locale ?? localeOf(req));
    if (!s) return this.errorPage(res, 400, t, t.expiredText);
    if (!this.signIns.csrfHolds(s, (req.body as Record<string, unknown>)._csrf))
      return this.errorPage(res, 403, t, t.forbiddenText);
    const ctx = RequestContextStore.get();
    if (ctx) {
      ctx.clientId = s.pending.clientId;
      ctx.path = 'oauth';
    }
    let step: Step;
    try {
      step = await run(s);
    } catch (err) {
      // An outage mid-step (the database, say): the client hears temporarily_unavailable, with its state.
      if (!isDatabaseUnavailable(err) && !(err instanceof PxError && err.id === ErrorId.SERVICE_UNAVAILABLE)) throw err;
      const { redirectUri, state } = s.pending;
      step = { redirect: this.flow.responseUri(redirectUri, state, { error: 'temporarily_unavailable' }) };
    }
    if ('redirect' in step) {
      this.pages.clearCookie(req, res);
      return this.pages.redirect(res, step.redirect);
    }
    if (step.page.view === 'notice') this.pages.clearCookie(req, res);
    else this.pages.setCookie(req, res, this.signIns.cookieOf(s), s.pending.expiresAt);
    this.pages.render(res, step.page, s.pending.redirectUri);
  }

  private errorPage(res: Response, status: number, t: PageTexts, message: string): void {
    this.pages.render(res, { status, view: 'notice', title: t.errorTitle, message, t });
  }

  /** Without an id_token key (production before ID_TOKEN_KEY is set) OAuth does not exist: 404. */
  private assertEnabled(): void {
    if (!this.signer.enabled) throw new PxError(ErrorId.NOT_FOUND);
  }
}

/** A query value given once, of at most `max` characters; undefined when absent, repeated or too long. */
function single(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.length >= 1 && value.length <= max ? value : undefined;
}
