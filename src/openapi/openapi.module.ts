import { Module } from '@nestjs/common';
import { OpenApiController } from './openapi.controller';
import { OpenApiDocuments } from './openapi.documents';

/** GET /openapi.json and /openapi/admin.json on the internal listener. */
@Module({ controllers: [OpenApiController], providers: [OpenApiDocuments], exports: [OpenApiDocuments] })
export class OpenApiModule {}
