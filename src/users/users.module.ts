import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoginGuard } from './lockout/login-guard.entity';
import { LockoutPolicy } from './lockout/lockout.policy';
import { LockoutRepository } from './lockout/lockout.repository';
import { LockoutService } from './lockout/lockout.service';
import { CheckAdmission } from './check-admission';
import { PasswordHasher } from './password-hasher';
import { User } from './user.entity';
import { UserRepository } from './user.repository';
import { UsersService } from './users.service';
import { CREDENTIAL_SOURCE } from './credentials/credential-source';
import { LocalCredentialSource } from './credentials/local-credential-source';
import { HttpCredentialSource } from './credentials/http/http-credential-source';
import { LdapCredentialSource } from './credentials/ldap/ldap-credential-source';
import { ShadowUsers } from './credentials/shadow-users';
import { AppConfig } from '@/config/app-config';
import { UserImporter } from './import/user-importer';
import { LegacyHashSetting } from './legacy-hash-setting.entity';
import { LegacyHashSettingRepository } from './legacy-hash-setting.repository';
import { LegacyHashSettings } from './legacy-hash-settings';

@Module({
  imports: [TypeOrmModule.forFeature([User, LoginGuard, LegacyHashSetting])],
  providers: [
    UsersService,
    UserRepository,
    CheckAdmission,
    PasswordHasher,
    LegacyHashSettings,
    LegacyHashSettingRepository,
    LockoutPolicy,
    LockoutRepository,
    LockoutService,
    ShadowUsers,
    UserImporter,
    // Only the configured source is made: the others need settings this deployment does not have.
    {
      provide: CREDENTIAL_SOURCE,
      inject: [AppConfig, UserRepository, PasswordHasher, ShadowUsers, LegacyHashSettings],
      useFactory: (
        config: AppConfig,
        users: UserRepository,
        hasher: PasswordHasher,
        shadows: ShadowUsers,
        legacy: LegacyHashSettings,
      ) => {
        if (config.CREDENTIAL_SOURCE === 'http') return new HttpCredentialSource(config, users, shadows);
        if (config.CREDENTIAL_SOURCE === 'ldap') return new LdapCredentialSource(config, users, shadows);
        return new LocalCredentialSource(users, hasher, legacy);
      },
    },
  ],
  exports: [UsersService, LockoutService, PasswordHasher, CheckAdmission, CREDENTIAL_SOURCE, UserImporter],
})
export class UsersModule {}
