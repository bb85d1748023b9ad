import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PartnerClient } from './partner-client.entity';
import { PartnerClientRepository } from './partner-client.repository';
import { PartnerRedirectUri } from './partner-redirect-uri.entity';
import { PartnerSecret } from './partner-secret.entity';
import { PartnerSecretRepository } from './partner-secret.repository';
import { PartnerGuard } from './partner.guard';
import { PartnersService } from './partners.service';

@Module({
  imports: [TypeOrmModule.forFeature([PartnerClient, PartnerSecret, PartnerRedirectUri])],
  providers: [PartnersService, PartnerClientRepository, PartnerSecretRepository, PartnerGuard],
  exports: [PartnersService, PartnerGuard],
})
export class PartnersModule {}
