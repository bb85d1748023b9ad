import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController, OpenAPIObject } from '@nestjs/swagger';
import { ServedOn } from '@/common/http/listener.guard';
import { OpenApiDocuments } from './openapi.documents';

/** Both documents on the internal listener (docs/api.md#listeners): operators hand them to their tools. */
@ApiExcludeController()
@ServedOn('internal')
@Controller()
export class OpenApiController {
  constructor(private readonly docs: OpenApiDocuments) {}

  @Get('openapi.json')
  publicApi(): OpenAPIObject {
    return this.docs.get('public');
  }

  @Get('openapi/admin.json')
  adminApi(): OpenAPIObject {
    return this.docs.get('admin');
  }
}
