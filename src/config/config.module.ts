import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AppConfig } from './app-config';
import { loadConfig } from './load-config';

/**
 * The only reader of process.env. @nestjs/config loads a `.env` file when there is one;
 * `overrides` lets tests and the CLI start the app with settings of their own.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(overrides: Record<string, string> = {}): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [ConfigModule.forRoot({ load: [() => ({ app: loadConfig({ ...process.env, ...overrides }) })] })],
      providers: [
        { provide: AppConfig, inject: [ConfigService], useFactory: (cs: ConfigService) => cs.get<AppConfig>('app') },
      ],
      exports: [AppConfig],
    };
  }
}
