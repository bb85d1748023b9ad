import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '@/config/app-config';
import { redactSecrets } from '@/config/redact';
import { dataSourceOptions } from './data-source-options';
import { redactError } from './errors';
import { migrate } from './migrate';
import { poolSettingsOf } from './pool-settings';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.DATABASE_URL, poolSettingsOf(config)),
        // Each module registers its own entities (TypeOrmModule.forFeature); the base lists none.
        autoLoadEntities: true,
        // Start even if the database is down for a moment, but not forever: 10 tries, 2 s apart.
        retryAttempts: 10,
        retryDelay: 2_000,
      }),
      // Migrations run once the pool is up, before anything else uses it (one set for both engines).
      // A failure is logged by TypeOrmModule at each retry: without the URL's password.
      dataSourceFactory: async (options) => {
        try {
          const ds = await new DataSource(options!).initialize();
          await migrate(ds);
          return ds;
        } catch (err) {
          const url = (options as { url?: string }).url;
          throw redactError(err, (text) => redactSecrets(text, { DATABASE_URL: url }));
        }
      },
    }),
  ],
})
export class DatabaseModule {}
