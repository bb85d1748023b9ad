import { INestApplication, Injectable } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AuthModule } from '@/auth/auth.module';
import { HealthModule } from '@/health/health.module';
import { StaffModule } from '@/staff/staff.module';
import { TokensModule } from '@/tokens/tokens.module';

const VERSION = '0.1.0';

/**
 * The two OpenAPI 3 documents, generated once at start from the controllers' routes, DTOs and
 * decorators (PRODUCT.md section 1): Plaid's API and the staff API, each with its own listener.
 */
@Injectable()
export class OpenApiDocuments {
  private docs?: { public: OpenAPIObject; admin: OpenAPIObject };

  /** Nest's scanner needs the application itself, so server.ts calls this once the app is initialised. */
  generate(app: INestApplication): void {
    const publicDoc = new DocumentBuilder()
      .setTitle('pxauth: Plaid Exchange legacy authentication')
      .setDescription(
        "Plaid's non-OAuth endpoints as this bank serves them (PRODUCT.md sections 2 to 7). Bodies are " +
          'form-encoded, as Plaid sends them, or JSON. Every non-2xx answer is the error envelope.',
      )
      .setVersion(VERSION)
      .addSecurity('plaid-client-id', { type: 'apiKey', in: 'header', name: 'X-PLAID-CLIENT-ID' })
      .addSecurity('plaid-secret', { type: 'apiKey', in: 'header', name: 'X-PLAID-SECRET' })
      .build();
    const adminDoc = new DocumentBuilder()
      .setTitle('pxauth: staff and data-API endpoints (internal listener)')
      .setDescription(
        'The admin API for support staff and operators, and token introspection and revocation for the ' +
          "bank's data API (PRODUCT.md sections 8 and 9). `x-pxauth-roles` names the staff roles that may call.",
      )
      .setVersion(VERSION)
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A staff key.' }, 'staff-key')
      .build();
    this.docs = {
      public: SwaggerModule.createDocument(app, publicDoc, { include: [AuthModule, HealthModule] }),
      admin: SwaggerModule.createDocument(app, adminDoc, { include: [StaffModule, TokensModule, HealthModule] }),
    };
  }

  get(which: 'public' | 'admin'): OpenAPIObject {
    if (!this.docs) throw new Error('OpenAPI documents read before the application was initialised');
    return this.docs[which];
  }
}
