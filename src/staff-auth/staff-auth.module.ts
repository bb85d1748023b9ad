import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StaffKey } from './staff-key.entity';
import { StaffKeyRepository } from './staff-key.repository';
import { StaffGuard } from './staff.guard';
import { StaffService } from './staff.service';

/** Staff keys and the guard, apart from the admin API so that tokens/ can use them without a cycle. */
@Module({
  imports: [TypeOrmModule.forFeature([StaffKey])],
  providers: [StaffService, StaffKeyRepository, StaffGuard],
  exports: [StaffService, StaffGuard],
})
export class StaffAuthModule {}
