import { applyDecorators } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiResponse,
  ApiSecurity,
} from '@nestjs/swagger';
import { errorEnvelopeSchema } from '@/common/http/api-errors';
import { ErrorId } from '@/common/errors/error-id';

/*
 * The OpenAPI description of Plaid Exchange OAuth as pxauth serves it (README, "OAuth"): the authorize
 * endpoint and the sign-in pages' forms (HTML for a browser), the token endpoint (RFC 6749 3.2, its
 * errors as 5.2 says) and the id_token's key set. GET /openapi.json serves it beside the legacy endpoints.
 */

const BOTH_BODIES = ['application/x-www-form-urlencoded', 'application/json'];
const HTML = { 'text/html': { schema: { type: 'string' as const } } };
const PAGE_HEADERS = {
  'Content-Security-Policy': {
    description: "default-src 'none': nothing framed, scripted or loaded from elsewhere.",
    schema: { type: 'string' as const },
  },
  'Cache-Control': { description: 'no-store', schema: { type: 'string' as const } },
};
const REDIRECT = {
  status: 303,
  description:
    'Back to the client: its redirect_uri with `code` (or `error`: access_denied, temporarily_unavailable, ' +
    'invalid_request, unsupported_response_type), `state` as it came, and `iss` (RFC 9207).',
  headers: { Location: { description: 'The redirect URI with the response parameters.', schema: { type: 'string' } } },
} as const;
/** While OAuth is off (no id_token key), every OAuth route is the envelope's 404. */
const OAUTH_OFF = {
  status: 404,
  description: 'NOT_FOUND: OAuth is off (no ID_TOKEN_KEY); the error envelope.',
  content: { 'application/json': { schema: errorEnvelopeSchema(404, [ErrorId.NOT_FOUND]) } },
};
const page = (status: number, description: string) =>
  ApiResponse({ status, description, content: HTML, headers: PAGE_HEADERS });
/** Past OAUTH_THROTTLE_PER_ADDRESS, counted before anything is read (RFC 6585 4). */
const throttledPage = () =>
  ApiResponse({
    status: 429,
    description: 'Past OAUTH_THROTTLE_PER_ADDRESS: a page saying to wait.',
    content: HTML,
    headers: { ...PAGE_HEADERS, 'Retry-After': { description: 'Seconds.', schema: { type: 'integer' } } },
  });

export class SignInForm {
  @ApiProperty({ maxLength: 256, description: "The customer's username." }) username: string;
  @ApiProperty({ maxLength: 1024, format: 'password' }) password: string;
  @ApiProperty({ description: "The CSRF token of the sign-in's page." }) _csrf: string;
}
export class SendForm {
  @ApiProperty({ maxLength: 64, description: 'One of the send methods the page offers.' }) send_method_id: string;
  @ApiProperty() _csrf: string;
}
class KbaAnswerField {
  @ApiProperty({ maxLength: 64 }) question_id: string;
  @ApiProperty({ maxLength: 256 }) text: string;
}
export class VerifyForm {
  @ApiPropertyOptional({ maxLength: 64, description: 'The OTP or TOTP passcode (OTP and TOTP challenges).' })
  passcode?: string;
  @ApiPropertyOptional({
    type: [KbaAnswerField],
    minItems: 1,
    maxItems: 10,
    description: 'KBA challenges: `answers[0].question_id=…&answers[0].text=…` in the form.',
  })
  answers?: KbaAnswerField[];
  @ApiProperty() _csrf: string;
}
export class CancelForm {
  @ApiProperty() _csrf: string;
}

export class TokenRequest {
  @ApiProperty({ enum: ['authorization_code', 'refresh_token'] }) grant_type: string;
  @ApiPropertyOptional({ maxLength: 2048, description: 'authorization_code: the code of the redirect.' })
  code?: string;
  @ApiPropertyOptional({
    maxLength: 2048,
    description: 'authorization_code: the redirect_uri of the authorize request (Plaid spells it redirect_url).',
  })
  redirect_uri?: string;
  @ApiPropertyOptional({ maxLength: 2048, description: "Plaid's spelling of redirect_uri." }) redirect_url?: string;
  @ApiPropertyOptional({ description: 'authorization_code with PKCE: the verifier (RFC 7636 4.5).' })
  code_verifier?: string;
  @ApiPropertyOptional({ maxLength: 2048, description: 'refresh_token: the refresh token.' }) refresh_token?: string;
  @ApiPropertyOptional({ description: 'client_secret_post: the client id (not with Basic).' }) client_id?: string;
  @ApiPropertyOptional({ description: 'client_secret_post: the client secret (not with Basic).' })
  client_secret?: string;
}

export class TokenResponse {
  @ApiProperty() access_token: string;
  @ApiProperty({ enum: ['Bearer'] }) token_type: string;
  @ApiProperty({ type: 'integer', description: 'Seconds (ACCESS_TOKEN_TTL).' }) expires_in: number;
  @ApiProperty({ description: 'A JWT signed with the first ID_TOKEN_KEYS key; `sub` is the user_id.' })
  id_token: string;
  @ApiPropertyOptional({ description: 'authorization_code only; it stays valid, not rotated.' }) refresh_token?: string;
  @ApiPropertyOptional({ description: 'authorization_code only: the opaque user identifier.' }) user_id?: string;
}

/** RFC 6749 5.2's error response, with the codes one status carries; 429 and 503 add `retry_at`. */
function oauthError(status: number, codes: string[], description: string) {
  const retry = status === 429 || status === 503;
  return ApiResponse({
    status,
    description,
    ...(retry && { headers: { 'Retry-After': { description: 'Seconds.', schema: { type: 'integer' } } } }),
    ...(status === 401 && {
      headers: { 'WWW-Authenticate': { description: 'With Basic client authentication.', schema: { type: 'string' } } },
    }),
    schema: {
      type: 'object',
      required: ['error'],
      properties: {
        error: { type: 'string', enum: codes },
        error_description: { type: 'string', description: 'For a developer; may change.' },
        ...(retry && { retry_at: { type: 'string', format: 'date-time', description: 'When to try again (UTC).' } }),
      },
    },
  });
}

export class Jwk {
  @ApiProperty({ enum: ['EC', 'RSA'] }) kty: string;
  @ApiProperty({ enum: ['ES256', 'RS256'] }) alg: string;
  @ApiProperty({ enum: ['sig'] }) use: string;
  @ApiProperty({ description: 'The key id in the id_token header (RFC 7638 thumbprint unless given).' }) kid: string;
  @ApiPropertyOptional({ description: 'EC: P-256.' }) crv?: string;
  @ApiPropertyOptional() x?: string;
  @ApiPropertyOptional() y?: string;
  @ApiPropertyOptional({ description: 'RSA: the modulus.' }) n?: string;
  @ApiPropertyOptional({ description: 'RSA: the exponent.' }) e?: string;
}
export class JwkSet {
  @ApiProperty({ type: [Jwk], description: 'The signing key first, then every older key still accepted.' })
  keys: Jwk[];
}

/** `stateMax`: the controller's bound on `state` (passed in: the controller imports this file). */
export const ApiAuthorize = (stateMax: number) =>
  applyDecorators(
    ApiOperation({ summary: "Plaid's authorization request (RFC 6749 4.1.1): the sign-in page" }),
    ApiQuery({ name: 'response_type', required: true, enum: ['code'] }),
    ApiQuery({ name: 'client_id', required: true, schema: { type: 'string', maxLength: 64 } }),
    ApiQuery({ name: 'redirect_uri', required: true, schema: { type: 'string', maxLength: 512 } }),
    ApiQuery({
      name: 'state',
      required: false,
      description: 'Printable ASCII, returned as it came.',
      schema: { type: 'string', maxLength: stateMax },
    }),
    ApiQuery({ name: 'scope', required: false, schema: { type: 'string' }, description: 'Accepted and ignored.' }),
    ApiQuery({
      name: 'code_challenge',
      required: false,
      description: 'PKCE (RFC 7636), with code_challenge_method=S256.',
      schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
    }),
    ApiQuery({ name: 'code_challenge_method', required: false, enum: ['S256'] }),
    ApiQuery({ name: 'nonce', required: false, schema: { type: 'string', maxLength: 256 } }),
    page(200, 'The sign-in page; the sign-in travels in the sealed `pxauth_signin` cookie it sets.'),
    ApiResponse(REDIRECT),
    page(400, 'An unknown client or redirect URI, or a bad state: a page, never a redirect (RFC 6749 4.1.2.1).'),
    ApiResponse(OAUTH_OFF),
    throttledPage(),
  );

/** One form of the sign-in pages: the sign-in's cookie, its CSRF token, and what the next page may be. */
export const ApiSignInStep = (summary: string, form: new () => object, pages: [number, string][]) =>
  applyDecorators(
    ApiOperation({ summary }),
    ApiSecurity('sign-in-cookie'),
    ApiConsumes(...BOTH_BODIES),
    ApiBody({ type: form }),
    ...pages.map(([status, description]) => page(status, description)),
    ApiResponse(REDIRECT),
    page(403, "The CSRF token is not this sign-in's, or the account is locked or its terms are pending."),
    ApiResponse(OAUTH_OFF),
    throttledPage(),
  );

export const ApiToken = () =>
  applyDecorators(
    ApiOperation({ summary: "Plaid's token request (RFC 6749 4.1.3, 6): authorization_code or refresh_token" }),
    // client_secret_basic, or client_id and client_secret in the body (RFC 6749 2.3.1): never both.
    ApiSecurity('oauth-client'),
    ApiSecurity({}),
    ApiConsumes(...BOTH_BODIES),
    ApiBody({ type: TokenRequest }),
    ApiExtraModels(TokenResponse),
    ApiResponse({ status: 200, type: TokenResponse, description: 'The tokens; Cache-Control: no-store.' }),
    oauthError(400, ['invalid_request', 'invalid_grant', 'unsupported_grant_type'], 'RFC 6749 5.2.'),
    oauthError(401, ['invalid_client'], 'The client did not authenticate (RFC 6749 5.2).'),
    ApiResponse(OAUTH_OFF),
    oauthError(429, ['temporarily_unavailable'], 'Past OAUTH_TOKEN_THROTTLE_PER_ADDRESS.'),
    oauthError(500, ['server_error'], 'A bug, logged.'),
    oauthError(
      503,
      ['temporarily_unavailable'],
      'Past THROTTLE_PER_ADDRESS or THROTTLE_PER_CLIENT, maintenance, or the database.',
    ),
  );

export const ApiJwks = () =>
  applyDecorators(
    ApiOperation({ summary: "The id_token's public keys (RFC 7517 5)" }),
    ApiResponse({ status: 200, type: JwkSet }),
    ApiResponse(OAUTH_OFF),
  );

export const ApiSignInCss = () =>
  applyDecorators(
    ApiOperation({ summary: "The sign-in pages' style sheet" }),
    ApiResponse({ status: 200, content: { 'text/css': { schema: { type: 'string' } } }, description: 'CSS.' }),
  );
