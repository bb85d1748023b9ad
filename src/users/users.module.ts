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

@Module({
  imports: [TypeOrmModule.forFeature([User, LoginGuard])],
  providers: [UsersService, UserRepository, PasswordHasher, LockoutPolicy, LockoutRepository, LockoutService],
  exports: [UsersService, LockoutService, PasswordHasher],
})
export class UsersModule {}
