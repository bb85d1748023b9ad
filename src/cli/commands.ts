import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PxError } from '@/common/errors/px.error';
import { OutboxService } from '@/otp/delivery/outbox.service';
import { PartnersService } from '@/partners/partners.service';
import { checkRedirectUri } from '@/partners/redirect-uris';
import { STAFF_ROLES, StaffRole } from '@/staff-auth/staff-key.entity';
import { StaffService } from '@/staff-auth/staff.service';
import { FlagName, Flags, required } from './args';
import { Output, credentialsText, migrationsText, outboxText, staffKeyText } from './format';
import { USER_COMMANDS } from './user-commands';

export type Run = (app: INestApplicationContext) => Promise<Output>;

/**
 * A command checks its flags in `prepare`, before the app boots, so that a typo costs no database
 * connection; the Run it returns does the work through the same services as the admin API.
 */
export interface Command {
  flags: readonly FlagName[];
  prepare(flags: Flags): Run | Promise<Run>;
}

const BASE_COMMANDS: Record<string, Command> = {
  'clients:create': {
    flags: ['name', 'redirect-uri'],
    prepare(flags) {
      const name = required(flags, 'name', 'clients:create');
      if (name.length > 200) throw PxError.invalid('--name: must be 1 to 200 characters');
      const uris = flags['redirect-uri']?.map((u) => checkRedirectUri(u, '--redirect-uri'));
      return async (app) => {
        const issued = await app.get(PartnersService).createClient(name, undefined, uris);
        return { data: issued, text: credentialsText(issued) };
      };
    },
  },
  'clients:rotate': {
    flags: ['client-id'],
    prepare(flags) {
      const clientId = required(flags, 'client-id', 'clients:rotate');
      return async (app) => {
        const issued = await app.get(PartnersService).addSecret(clientId);
        return { data: issued, text: `${credentialsText(issued)}\nRetire the old secret once Plaid uses this one.` };
      };
    },
  },
  'staff:create': {
    flags: ['name', 'role'],
    prepare(flags) {
      const name = required(flags, 'name', 'staff:create');
      const role = required(flags, 'role', 'staff:create');
      if (!(STAFF_ROLES as readonly string[]).includes(role))
        throw PxError.invalid(`--role: must be one of ${STAFF_ROLES.join(', ')}`);
      if (name.length > 200) throw PxError.invalid('--name: must be 1 to 200 characters');
      return async (app) => {
        const issued = await app.get(StaffService).create(name, role as StaffRole);
        return { data: issued, text: staffKeyText(issued) };
      };
    },
  },
  'outbox:list': {
    flags: ['to'],
    prepare(flags) {
      return async (app) => {
        const messages = await app.get(OutboxService).list(flags.to);
        return { data: { messages }, text: outboxText(messages) };
      };
    },
  },
  'db:migrate': {
    flags: [],
    // Booting the app already ran the pending migrations (DatabaseModule, under the start-up lock).
    prepare: () => async (app) => {
      const ds = app.get(DataSource);
      const table = ds.options.migrationsTableName ?? 'migrations';
      const rows: { timestamp: string | number; name: string }[] = await ds.query(
        `SELECT "timestamp", "name" FROM "${table}" ORDER BY "timestamp"`,
      );
      const applied = rows.map((r) => ({ timestamp: Number(r.timestamp), name: r.name }));
      const pending = await ds.showMigrations();
      return { data: { applied, pending }, text: migrationsText(applied, pending) };
    },
  },
};

export const COMMANDS: Record<string, Command> = { ...BASE_COMMANDS, ...USER_COMMANDS };
