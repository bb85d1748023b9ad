import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientListingRepository } from './client-listing.repository';
import { ClientListingService } from './client-listing.service';
import { PartnerClient } from './partner-client.entity';
import { PartnerRedirectUri } from './partner-redirect-uri.entity';
import { PartnerSecret } from './partner-secret.entity';
import { PartnerSecretRepository } from './partner-secret.repository';
import { PartnerGuard } from './partner.guard';
import { PartnersService } from './partners.service';

@Module({
  imports: [TypeOrmModule.forFeature([PartnerClient, PartnerSecret, PartnerRedirectUri])],
  providers: [PartnersService, PartnerSecretRepository, PartnerGuard, ClientListingService, ClientListingRepository],
  exports: [PartnersService, PartnerGuard, ClientListingService],
})
export class PartnersModule {}
