import { Command } from 'commander';
import type { INestApplicationContext } from '@nestjs/common';
import { EventType, StaffOutcome } from '@/events/domain-event';
import { DomainEvents } from '@/events/domain-events';
import { MaintenanceService, MaintenanceState } from '@/maintenance/maintenance.service';
import { MaintenanceDto } from '@/staff/admin/admin.dto';
import { Exec, subcommand } from './cli-context';
import { validated } from './cli-input';
import { maintenanceText } from './list-format';

/**
 * Maintenance mode, as PUT /admin/maintenance sets it: kept in the database, so every replica
 * answers Plaid's calls with 503 and its retry_at at once (README, "Maintenance").
 */
export function registerMaintenanceCommands(program: Command, exec: Exec): void {
  subcommand(program, 'maintenance:on', "Plaid's calls answer 503 SERVICE_UNAVAILABLE with retry_at, on every replica")
    .option('--retry-at <time>', 'when to try again, RFC 3339 (default now + MAINTENANCE_RETRY_AFTER)')
    .option('--message <text>', 'what the error says, up to 200 characters')
    .action((o: { retryAt?: string; message?: string; json?: boolean }) => {
      const dto = validated(MaintenanceDto, { enabled: true, retry_at: o.retryAt, message: o.message });
      return exec(async (app) => {
        const retryAt = dto.retry_at ? new Date(dto.retry_at) : undefined;
        return shown(
          await recorded(app, 'maintenance:on', app.get(MaintenanceService).set(true, retryAt, dto.message)),
        );
      }, o);
    });

  subcommand(program, 'maintenance:off', "Plaid's calls are served again").action((o: { json?: boolean }) =>
    exec(async (app) => shown(await recorded(app, 'maintenance:off', app.get(MaintenanceService).set(false))), o),
  );

  subcommand(program, 'maintenance:status', 'whether maintenance is on, until when, with which message').action(
    (o: { json?: boolean }) => exec(async (app) => shown(await app.get(MaintenanceService).state()), o),
  );
}

const shown = (state: MaintenanceState) => ({ data: state, text: maintenanceText(state) });

/**
 * The admin API records each call as an admin_call event naming the staff member; from the host
 * there is no staff key, so the event names the command and leaves staff_id empty.
 */
async function recorded(
  app: INestApplicationContext,
  command: string,
  change: Promise<MaintenanceState>,
): Promise<MaintenanceState> {
  const state = await change;
  await app.get(DomainEvents).publish({
    type: EventType.AdminCall,
    outcome: StaffOutcome.Ok,
    detail: { actor: 'cli', command, enabled: state.enabled, retry_at: state.retry_at },
  });
  return state;
}
