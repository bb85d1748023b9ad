import { applyDecorators } from '@nestjs/common';
import {
  ApiConsumes,
  ApiExtraModels,
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiSecurity,
  getSchemaPath,
} from '@nestjs/swagger';
import { ApiErrors } from '@/common/http/api-errors';
import { ErrorId } from '@/common/errors/error-id';

/*
 * The OpenAPI description of Plaid's endpoints, with Plaid's own names for the 202 bodies
 * (reference/plaid-exchange-auth.md, "Multifactor authentication"): GET /openapi.json serves it.
 */

export class AuthTokenResponse {
  @ApiProperty({ description: 'Opaque user identifier.' }) user_id: string;
  @ApiProperty({ description: 'Opaque, revocable token.' }) auth_token: string;
}

class SendMethod {
  @ApiProperty({ description: 'An ID uniquely referencing this send method, for this user.' }) id: string;
  @ApiProperty({ description: 'The destination, masked: (***) ***-0123, u****@e****.com.' }) mask: string;
  @ApiProperty({ enum: ['sms', 'email', 'voice'], description: 'Indicates the method of delivery.' }) type: string;
}
class OtpChallenge {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['otp'], description: 'Type of MFA escalation.' }) type: string;
  @ApiProperty() prompt: string;
  @ApiProperty({ type: [SendMethod], minItems: 1 }) send_methods: SendMethod[];
}
class KbaQuestion {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'Text of the question.' }) text: string;
}
class KbaChallenge {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['kba'], description: 'Type of MFA escalation.' }) type: string;
  @ApiProperty({ type: [KbaQuestion], minItems: 1, description: 'The set of challenge questions.' })
  questions: KbaQuestion[];
}
class TotpChallenge {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['totp'], description: 'Type of MFA escalation.' }) type: string;
  @ApiPropertyOptional({ description: 'The prompt.' }) prompt: string;
}
export class MfaOtpEscalationChallenge {
  @ApiProperty({ description: 'Opaque user identifier.' }) user_id: string;
  @ApiProperty({ type: OtpChallenge }) challenge: OtpChallenge;
}
export class MfaKbaEscalationChallenge {
  @ApiProperty({ description: 'Opaque user identifier.' }) user_id: string;
  @ApiProperty({ type: KbaChallenge }) challenge: KbaChallenge;
}
export class MfaTotpEscalationChallenge {
  @ApiProperty({ description: 'Opaque user identifier.' }) user_id: string;
  @ApiProperty({ type: TotpChallenge }) challenge: TotpChallenge;
}

/** What every Plaid call may answer before its own logic: partner credentials, version, maintenance. */
const ANY_CALL = [ErrorId.INVALID_REQUEST, ErrorId.UNSUPPORTED_VERSION, ErrorId.INVALID_CLIENT];

/** Partner credentials, the optional version header, and both body encodings Plaid may send. */
export const ApiPlaidCall = (summary: string) =>
  applyDecorators(
    ApiOperation({ summary }),
    ApiSecurity({ 'plaid-client-id': [], 'plaid-secret': [] }),
    ApiHeader({
      name: 'X-PLAID-VERSION',
      required: false,
      description: 'When present, one of SUPPORTED_PLAID_VERSIONS.',
    }),
    ApiConsumes('application/x-www-form-urlencoded', 'application/json'),
  );

export const ApiAuthToken = () =>
  applyDecorators(
    ApiPlaidCall('Request an auth token for a user'),
    ApiExtraModels(MfaOtpEscalationChallenge, MfaKbaEscalationChallenge, MfaTotpEscalationChallenge),
    ApiResponse({ status: 200, type: AuthTokenResponse, description: 'Basic authentication: no second factor.' }),
    ApiResponse({
      status: 202,
      description: 'Credentials accepted for further processing: a second-factor challenge.',
      schema: {
        oneOf: [MfaOtpEscalationChallenge, MfaKbaEscalationChallenge, MfaTotpEscalationChallenge].map((m) => ({
          $ref: getSchemaPath(m),
        })),
      },
    }),
    ApiErrors(
      ...ANY_CALL,
      ErrorId.INVALID_CREDENTIALS,
      ErrorId.ACCOUNT_LOCKED,
      ErrorId.TERMS_NOT_ACCEPTED,
      ErrorId.SERVICE_UNAVAILABLE,
    ),
  );

export const ApiSendOtp = () =>
  applyDecorators(
    ApiPlaidCall('Trigger OTP'),
    ApiParam({ name: 'user_id', description: 'Opaque user identifier.' }),
    ApiResponse({ status: 200, description: 'The provider accepted the message; no body.' }),
    ApiErrors(
      ...ANY_CALL,
      ErrorId.CHALLENGE_NOT_FOUND,
      ErrorId.CHALLENGE_EXPIRED,
      ErrorId.INVALID_SEND_METHOD,
      ErrorId.SEND_LIMIT_REACHED,
      ErrorId.SEND_METHOD_UNAVAILABLE,
      ErrorId.ACCOUNT_LOCKED,
      ErrorId.SERVICE_UNAVAILABLE,
    ),
  );

export const ApiTwoFactor = () =>
  applyDecorators(
    ApiPlaidCall('Validate 2FA'),
    ApiParam({ name: 'user_id', description: 'Opaque user identifier.' }),
    ApiResponse({ status: 200, type: AuthTokenResponse }),
    ApiErrors(
      ...ANY_CALL,
      ErrorId.CHALLENGE_NOT_FOUND,
      ErrorId.CHALLENGE_EXPIRED,
      ErrorId.OTP_NOT_SENT,
      ErrorId.INVALID_MFA,
      ErrorId.ACCOUNT_LOCKED,
      ErrorId.SERVICE_UNAVAILABLE,
    ),
  );
