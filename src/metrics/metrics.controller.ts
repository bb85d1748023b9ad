import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ServedOn } from '@/common/http/listener.guard';
import { MetricsRegistry } from './metrics.registry';

/** Prometheus' text format, no key: the internal listener is private (PRODUCT.md section 1). */
@ApiExcludeController()
@ServedOn('internal')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly m: MetricsRegistry) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.m.registry.metrics();
  }
}
