import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PartnerClient } from './partner-client.entity';
import { PartnerSecret } from './partner-secret.entity';
import { PartnerSecretRepository } from './partner-secret.repository';
import { PartnerGuard } from './partner.guard';
import { PartnersService } from './partners.service';

@Module({
  imports: [TypeOrmModule.forFeature([PartnerClient, PartnerSecret])],
  providers: [PartnersService, PartnerSecretRepository, PartnerGuard],
  exports: [PartnersService, PartnerGuard],
})
export class PartnersModule {}
