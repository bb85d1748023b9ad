import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '@/users/users.module';
import { KbaQuestion } from './kba-question.entity';
import { KbaQuestionRepository } from './kba-question.repository';
import { KbaService } from './kba.service';

@Module({
  imports: [TypeOrmModule.forFeature([KbaQuestion]), UsersModule],
  providers: [KbaService, KbaQuestionRepository],
  exports: [KbaService],
})
export class KbaModule {}
