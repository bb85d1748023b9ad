import { Command, InvalidArgumentError } from 'commander';
import { AuditTrail } from '@/audit/audit-trail.service';
import { EventQuery } from '@/audit/audit-query';
import { OutboxService } from '@/otp/delivery/outbox.service';
import { ClientListingService } from '@/partners/client-listing.service';
import { PartnersService } from '@/partners/partners.service';
import { checkRedirectUri } from '@/partners/redirect-uris';
import { STAFF_ROLES, StaffRole } from '@/staff-auth/staff-key.entity';
import { StaffKeyListingService } from '@/staff-auth/staff-key-listing.service';
import { StaffService } from '@/staff-auth/staff.service';
import { Exec, subcommand } from './cli-context';
import { validated } from './cli-input';
import { credentialsText, eventsText, outboxText, retiredText, revokedKeyText, staffKeyText } from './format';
import { clientsText, staffKeysText } from './list-format';

const nameOf = (value: string) => {
  if (!value.trim() || value.length > 200) throw new InvalidArgumentError('must be 1 to 200 characters');
  return value;
};
const slotOf = (value: string) => {
  if (value !== '1' && value !== '2') throw new InvalidArgumentError('must be 1 or 2');
  return Number(value);
};
const roleOf = (value: string) => {
  if (!(STAFF_ROLES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`must be one of ${STAFF_ROLES.join(', ')}`);
  return value as StaffRole;
};

/** A repeatable option's values, in order. */
const collect = (value: string, previous: string[]) => [...previous, value];

/** Plaid clients, staff keys, the outbox and the audit trail. */
export function registerOperatorCommands(program: Command, exec: Exec): void {
  subcommand(program, 'clients:create', 'a Plaid client; prints client_id and client_secret (shown once)')
    .requiredOption('--name <name>', 'what the client is, e.g. "Plaid production"', nameOf)
    .option('--redirect-uri <uri>', "an OAuth redirect URI (repeat for more); Plaid's by default", collect, [])
    .action((o: { name: string; redirectUri: string[]; json?: boolean }) =>
      exec(async (app) => {
        const uris = o.redirectUri.length ? o.redirectUri.map((u) => checkRedirectUri(u, '--redirect-uri')) : undefined;
        const issued = await app.get(PartnersService).createClient(o.name, undefined, uris);
        return { data: issued, text: credentialsText(issued) };
      }, o),
    );

  subcommand(
    program,
    'clients:list',
    'the Plaid clients: id, name, active secret slots, redirect URIs (never a secret)',
  ).action((o: { json?: boolean }) =>
    exec(async (app) => {
      const clients = await app.get(ClientListingService).list();
      return { data: { clients }, text: clientsText(clients) };
    }, o),
  );

  subcommand(program, 'clients:rotate', "adds a second secret to a client (shown once), for Plaid's rotation")
    .requiredOption('--client-id <id>', 'the client')
    .action((o: { clientId: string; json?: boolean }) =>
      exec(async (app) => {
        const issued = await app.get(PartnersService).addSecret(o.clientId);
        return { data: issued, text: `${credentialsText(issued)}\nRetire the old secret once Plaid uses this one.` };
      }, o),
    );

  subcommand(program, 'clients:retire', 'retires one secret of a client (never its last active one)')
    .requiredOption('--client-id <id>', 'the client')
    .requiredOption('--slot <n>', 'the secret to retire: 1 or 2, as clients:rotate printed it', slotOf)
    .action((o: { clientId: string; slot: number; json?: boolean }) =>
      exec(async (app) => {
        const retired = await app.get(PartnersService).revokeSecret(o.clientId, o.slot);
        return { data: retired, text: retiredText(retired) };
      }, o),
    );

  subcommand(program, 'staff:create', 'a staff key for the internal listener (shown once)')
    .requiredOption('--name <name>', 'who holds it, e.g. "Jo at the help desk"', nameOf)
    .requiredOption('--role <role>', STAFF_ROLES.join(' | '), roleOf)
    .action((o: { name: string; role: StaffRole; json?: boolean }) =>
      exec(async (app) => {
        const issued = await app.get(StaffService).create(o.name, o.role);
        return { data: issued, text: staffKeyText(issued) };
      }, o),
    );

  subcommand(
    program,
    'staff:list',
    'the staff keys: id, role, name, since when (never a key); active ones unless --all',
  )
    .option('--all', 'revoked keys too')
    .action((o: { all?: boolean; json?: boolean }) =>
      exec(async (app) => {
        const keys = await app.get(StaffKeyListingService).list(!!o.all);
        return { data: { keys }, text: staffKeysText(keys) };
      }, o),
    );

  subcommand(program, 'staff:revoke', 'revokes a staff key: it stops working at once, on every replica')
    .requiredOption('--id <id>', 'the key id, as staff:create printed it')
    .action((o: { id: string; json?: boolean }) =>
      exec(async (app) => {
        const revoked = await app.get(StaffService).revoke(o.id);
        return { data: revoked, text: revokedKeyText(revoked) };
      }, o),
    );

  subcommand(program, 'outbox:list', 'what the sandbox delivered, newest first')
    .option('--to <address>', 'only messages to this phone number (E.164) or address')
    .action((o: { to?: string; json?: boolean }) =>
      exec(async (app) => {
        const messages = await app.get(OutboxService).list(o.to);
        return { data: { messages }, text: outboxText(messages) };
      }, o),
    );

  subcommand(program, 'events:list', 'the audit trail, newest first (as GET /admin/events)')
    .option('--user-id <id>', 'one user')
    .option('--type <type>', 'one event type: login, 2fa, lock, unlock, admin_call, ...')
    .option('--from <time>', 'at or after this RFC 3339 time')
    .option('--to <time>', 'before this RFC 3339 time')
    .option('--request-id <id>', 'one request, as its error envelope names it')
    .option('--cursor <cursor>', 'another page: the next_cursor (older) or prev_cursor (newer) of a page')
    .option('--limit <n>', 'events per page, 1 to 500 (default 200)')
    .action((o: Record<string, string | boolean | undefined>) => {
      const query = validated(EventQuery, {
        user_id: o.userId,
        type: o.type,
        from: o.from,
        to: o.to,
        request_id: o.requestId,
        cursor: o.cursor,
        limit: o.limit,
      });
      return exec(async (app) => {
        const page = await app.get(AuditTrail).page(query);
        return { data: page, text: eventsText(page) };
      }, o);
    });
}
