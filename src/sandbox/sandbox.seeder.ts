import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@/config/app-config';
import { withStartupLock } from '@/database/migrate';
import { PartnersService } from '@/partners/partners.service';
import { AdminUsersService } from '@/staff/admin/admin-users.service';
import { StaffService } from '@/staff-auth/staff.service';
import { PasswordHasher } from '@/users/password-hasher';
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
    private readonly hasher: PasswordHasher,
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
    // Every sandbox user has the one documented password: hashed once (argon2id at the production
    // cost, as any user's), not once a user, which made every boot on an empty database pay six times.
    const passwordHash = await this.hasher.hash(SANDBOX_PASSWORD);
    for (const [username, factors] of Object.entries(SANDBOX_USERS)) {
      const created = await this.users.create(
        {
          username,
          password: SANDBOX_PASSWORD,
          ...factors,
          terms_accepted_version: username === 'user_terms' ? this.config.TERMS_VERSION - 1 : this.config.TERMS_VERSION,
        },
        { totpSecret: SANDBOX_TOTP_SECRET, passwordHash },
      );
      if (username === 'user_locked') await this.users.lock(created.user_id, 'sandbox: this user is always locked');
    }
  }
}
