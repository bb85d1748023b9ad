import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientListingService } from './client-listing.service';
import { PartnerClient } from './partner-client.entity';
import { PartnerClientRepository } from './partner-client.repository';
import { PartnerRedirectUri } from './partner-redirect-uri.entity';
import { PartnerSecret } from './partner-secret.entity';
import { PartnerSecretRepository } from './partner-secret.repository';
import { PartnerGuard } from './partner.guard';
import { PartnersService } from './partners.service';

@Module({
  imports: [TypeOrmModule.forFeature([PartnerClient, PartnerSecret, PartnerRedirectUri])],
  providers: [PartnersService, PartnerClientRepository, PartnerSecretRepository, PartnerGuard, ClientListingService],
  exports: [PartnersService, PartnerGuard, ClientListingService],
})
export class PartnersModule {}
