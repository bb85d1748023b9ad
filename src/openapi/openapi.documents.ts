import { INestApplication, Injectable } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AuthModule } from '@/auth/auth.module';
import { BUILD_INFO } from '@/common/build-info';
import { HealthModule } from '@/health/health.module';
import { OAuthModule } from '@/oauth/oauth.module';
import { SIGN_IN_COOKIE } from '@/oauth/pages';
import { StaffModule } from '@/staff/staff.module';
import { TokensModule } from '@/tokens/tokens.module';

/**
 * The two OpenAPI 3 documents, generated once at start from the controllers' routes, DTOs and
 * decorators (README, "Listeners"): the public listener's (Plaid's legacy endpoints and OAuth) and the
 * internal listener's (the staff API and token introspection). `info.version` is package.json's.
 */
@Injectable()
export class OpenApiDocuments {
  private docs?: { public: OpenAPIObject; admin: OpenAPIObject };

  /** Nest's scanner needs the application itself, so server.ts calls this once the app is initialised. */
  generate(app: INestApplication): void {
    const publicDoc = new DocumentBuilder()
      .setTitle('pxauth: Plaid Exchange legacy authentication')
      .setDescription(
        "Plaid Exchange's legacy (non-OAuth) endpoints and Plaid Exchange OAuth as this bank serves them. " +
          'Bodies are form-encoded, as Plaid sends them, or JSON. A non-2xx answer of /users/* is the error ' +
          "envelope; /oauth2/token's are RFC 6749 5.2's; the sign-in pages answer HTML for a browser.",
      )
      .setVersion(BUILD_INFO.version)
      .addSecurity('plaid-client-id', { type: 'apiKey', in: 'header', name: 'X-PLAID-CLIENT-ID' })
      .addSecurity('plaid-secret', { type: 'apiKey', in: 'header', name: 'X-PLAID-SECRET' })
      .addSecurity('oauth-client', {
        type: 'http',
        scheme: 'basic',
        description: 'client_secret_basic (RFC 6749 2.3.1); or client_id and client_secret in the body instead.',
      })
      .addSecurity('sign-in-cookie', {
        type: 'apiKey',
        in: 'cookie',
        name: SIGN_IN_COOKIE,
        description: 'The sealed sign-in that GET /oauth2/authorize set; each form adds its _csrf.',
      })
      .build();
    const adminDoc = new DocumentBuilder()
      .setTitle('pxauth: staff and data-API endpoints (internal listener)')
      .setDescription(
        'The admin API for support staff and operators, and token introspection and revocation for the ' +
          "bank's data API. `x-pxauth-roles` names the staff roles that may call; `admin` may call every route.",
      )
      .setVersion(BUILD_INFO.version)
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A staff key.' }, 'staff-key')
      .build();
    this.docs = {
      public: SwaggerModule.createDocument(app, publicDoc, { include: [AuthModule, OAuthModule, HealthModule] }),
      admin: SwaggerModule.createDocument(app, adminDoc, { include: [StaffModule, TokensModule, HealthModule] }),
    };
  }

  get(which: 'public' | 'admin'): OpenAPIObject {
    if (!this.docs) throw new Error('OpenAPI documents read before the application was initialised');
    return this.docs[which];
  }
}
