import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MaintenanceService } from './maintenance.service';
import { ServiceSetting } from './service-setting.entity';
import { ServiceSettingRepository } from './service-setting.repository';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ServiceSetting])],
  providers: [MaintenanceService, ServiceSettingRepository],
  exports: [MaintenanceService],
})
export class MaintenanceModule {}
