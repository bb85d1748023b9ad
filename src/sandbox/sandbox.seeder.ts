import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@/config/app-config';
import { withStartupLock } from '@/database/migrate';
import { PartnersService } from '@/partners/partners.service';
import { AdminUsersService } from '@/staff/admin/admin-users.service';
import { StaffService } from '@/staff-auth/staff.service';
import {
  SANDBOX_CLIENT,
  SANDBOX_PASSWORD,
  SANDBOX_REDIRECT_URIS,
  SANDBOX_STAFF,
  SANDBOX_TOTP_SECRET,
  SANDBOX_USERS,
} from './sandbox.fixtures';

/** Seeds an empty database with the sandbox when SANDBOX is on (the default outside production). */
@Injectable()
export class SandboxSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('Sandbox');

  constructor(
    private readonly config: AppConfig,
    private readonly partners: PartnersService,
    private readonly staff: StaffService,
    private readonly users: AdminUsersService,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.sandbox) return;
    // Replicas starting at once: one seeds, the others then see a database that is not empty.
    await withStartupLock(this.dataSource, async () => {
      if (await this.partners.anyClient()) return;
      await this.seed();
      this.logger.log('seeded the sandbox: client sandbox-client, staff keys and the user_* users (see README)');
    });
  }

  private async seed(): Promise<void> {
    await this.partners.createClient('Plaid (sandbox)', SANDBOX_CLIENT, SANDBOX_REDIRECT_URIS);
    for (const s of SANDBOX_STAFF) await this.staff.create(s.name, s.role, s.key);
    for (const [username, factors] of Object.entries(SANDBOX_USERS)) {
      const created = await this.users.create(
        {
          username,
          password: SANDBOX_PASSWORD,
          ...factors,
          terms_accepted_version: username === 'user_terms' ? this.config.TERMS_VERSION - 1 : this.config.TERMS_VERSION,
        },
        SANDBOX_TOTP_SECRET,
      );
      if (username === 'user_locked') await this.users.lock(created.user_id, 'sandbox: this user is always locked');
    }
  }
}
