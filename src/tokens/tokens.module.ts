import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StaffAuthModule } from '@/staff-auth/staff-auth.module';
import { AuthToken } from './auth-token.entity';
import { AuthTokenRepository } from './auth-token.repository';
import { IntrospectionRoute } from './introspection.route';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';

@Module({
  imports: [TypeOrmModule.forFeature([AuthToken]), StaffAuthModule],
  controllers: [TokensController],
  providers: [TokensService, AuthTokenRepository, IntrospectionRoute],
  exports: [TokensService, IntrospectionRoute],
})
export class TokensModule {}
