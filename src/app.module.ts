import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { ConsoleModule } from './console/console.module';
import { ErrorEnvelopeFilter } from './common/errors/error.filter';
import { BodyMiddleware } from './common/http/body.middleware';
import { GLOBAL_GUARDS } from './common/http/guarded';
import { RequestContextMiddleware } from './common/http/request-context.middleware';
import { createValidationPipe } from './common/http/validation.pipe';
import { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { EdgeModule } from './edge/edge.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { loggerParams } from './logging';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { OAuthModule } from './oauth/oauth.module';
import { HttpMetricsMiddleware } from './metrics/http-metrics.middleware';
import { MetricsModule } from './metrics/metrics.module';
import { OpenApiModule } from './openapi/openapi.module';
import { RetentionModule } from './retention/retention.module';
import { SandboxModule } from './sandbox/sandbox.module';
import { StaffModule } from './staff/staff.module';
import { ThrottleModule } from './throttle/throttle.module';
import { TokensModule } from './tokens/tokens.module';

export interface AppOptions {
  /** Settings that take precedence over the environment (tests, CLI). */
  env?: Record<string, string>;
  /** Where log lines go; stdout when absent. */
  logStream?: DestinationStream;
}

@Module({})
export class AppModule implements NestModule {
  static forRoot(options: AppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(options.env),
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => loggerParams(config, options.logStream),
        }),
        DatabaseModule,
        EventsModule,
        CommonModule,
        AuditModule,
        MaintenanceModule,
        AuthModule,
        TokensModule,
        StaffModule,
        HealthModule,
        SandboxModule,
        RetentionModule,
        ConsoleModule,
        OAuthModule,
        ThrottleModule,
        MetricsModule,
        OpenApiModule,
        EdgeModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ErrorEnvelopeFilter },
        ...GLOBAL_GUARDS.map((useClass) => ({ provide: APP_GUARD, useClass })),
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // The metrics first: an answer the context or body middleware gives (a 400 for a bad body) is counted too.
    consumer.apply(HttpMetricsMiddleware, RequestContextMiddleware, BodyMiddleware).forRoutes('{*path}');
  }
}
