import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MaintenanceService } from './maintenance.service';
import { ServiceSetting } from './service-setting.entity';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ServiceSetting])],
  providers: [MaintenanceService],
  exports: [MaintenanceService],
})
export class MaintenanceModule {}
