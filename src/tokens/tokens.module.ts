import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StaffAuthModule } from '@/staff-auth/staff-auth.module';
import { AuthToken } from './auth-token.entity';
import { AuthTokenRepository } from './auth-token.repository';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';

@Module({
  imports: [TypeOrmModule.forFeature([AuthToken]), StaffAuthModule],
  controllers: [TokensController],
  providers: [TokensService, AuthTokenRepository],
  exports: [TokensService],
})
export class TokensModule {}
