import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEvent } from './audit-event.entity';
import { AuditEventRepository } from './audit-event.repository';
import { AuditService } from './audit.service';
import { AuditTrail } from './audit-trail.service';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  providers: [AuditService, AuditTrail, AuditEventRepository],
  exports: [AuditService, AuditTrail],
})
export class AuditModule {}
