import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoginGuard } from './lockout/login-guard.entity';
import { LockoutPolicy } from './lockout/lockout.policy';
import { LockoutRepository } from './lockout/lockout.repository';
import { LockoutService } from './lockout/lockout.service';
import { PasswordHasher } from './password-hasher';
import { User } from './user.entity';
import { UserRepository } from './user.repository';
import { UsersService } from './users.service';
import { CREDENTIAL_SOURCE } from './credentials/credential-source';
import { LocalCredentialSource } from './credentials/local-credential-source';
import { UserImporter } from './import/user-importer';

@Module({
  imports: [TypeOrmModule.forFeature([User, LoginGuard])],
  providers: [
    UsersService,
    UserRepository,
    PasswordHasher,
    LockoutPolicy,
    LockoutRepository,
    LockoutService,
    UserImporter,
    // CREDENTIAL_SOURCE=local is the only source so far; http and ldap (PRODUCT.md section 12) bind here.
    { provide: CREDENTIAL_SOURCE, useClass: LocalCredentialSource },
  ],
  exports: [UsersService, LockoutService, PasswordHasher, CREDENTIAL_SOURCE, UserImporter],
})
export class UsersModule {}
