// The TypeORM CLI's data source, e.g.:
//   npx typeorm-ts-node-commonjs -r tsconfig-paths/register -d ormconfig.ts migration:show
// The service and `npm run cli -- db:migrate` run the same migrations themselves.
import 'tsconfig-paths/register';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/load-config';
import { dataSourceOptions } from './src/database/data-source-options';
import { ENTITIES } from './src/entities';

export default new DataSource(dataSourceOptions(loadConfig(process.env).DATABASE_URL, undefined, ENTITIES));
