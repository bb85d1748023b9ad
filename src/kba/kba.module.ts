import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '@/users/users.module';
import { KbaQuestion } from './kba-question.entity';
import { KbaQuestionRepository } from './kba-question.repository';
import { KbaService } from './kba.service';
import { KbaVerifier } from './kba.verifier';

@Module({
  imports: [TypeOrmModule.forFeature([KbaQuestion]), UsersModule],
  providers: [KbaService, KbaQuestionRepository, KbaVerifier],
  exports: [KbaService, KbaVerifier],
})
export class KbaModule {}
