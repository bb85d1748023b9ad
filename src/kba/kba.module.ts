import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '@/users/users.module';
import { KbaQuestion } from './kba-question.entity';
import { KbaService } from './kba.service';
import { KbaVerifier } from './kba.verifier';

@Module({
  imports: [TypeOrmModule.forFeature([KbaQuestion]), UsersModule],
  providers: [KbaService, KbaVerifier],
  exports: [KbaService, KbaVerifier],
})
export class KbaModule {}
