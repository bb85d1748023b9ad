import type { MaintenanceState } from '@/maintenance/maintenance.service';
import type { MigrationStatus } from '@/database/migration-status';
import type { ClientView } from '@/partners/client-listing.service';
import type { StaffKeyView } from '@/staff-auth/staff-key-listing.service';

/** Text for the listings and states (the --json output is the views themselves). */
export function staffKeysText(keys: StaffKeyView[]): string {
  if (!keys.length) return 'No staff keys.';
  return keys
    .map((k) =>
      [k.id, k.role.padEnd(15), k.created_at, k.revoked_at ? `revoked ${k.revoked_at}` : 'active', k.name].join('  '),
    )
    .join('\n');
}

export function clientsText(clients: ClientView[]): string {
  if (!clients.length) return 'No clients.';
  return clients
    .map((c) =>
      [
        `${c.client_id}  ${c.name}  (created ${c.created_at})`,
        ...c.secrets.map((s) => `  secret ${s.slot}: active since ${s.created_at}`),
        ...c.redirect_uris.map((u) => `  redirect_uri: ${u}`),
      ].join('\n'),
    )
    .join('\n');
}

export function maintenanceText(s: MaintenanceState): string {
  if (!s.enabled) return 'Maintenance is off: Plaid calls are served.';
  return `Maintenance is on: Plaid calls answer 503 with retry_at ${s.retry_at}${s.message ? ` ("${s.message}")` : ''}.`;
}

export function statusText(s: MigrationStatus): string {
  return [
    `engine: ${s.engine}`,
    `Migrations applied (${s.applied.length}):`,
    ...s.applied.map((m) => `  [x] ${m.name}`),
    ...(s.pending.length
      ? [`Migrations pending (${s.pending.length}):`, ...s.pending.map((m) => `  [ ] ${m.name}`)]
      : ['The schema is up to date.']),
  ].join('\n');
}
