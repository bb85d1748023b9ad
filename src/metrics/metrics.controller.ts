import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ServedOn } from '@/common/http/listener.guard';
import { MetricsRegistry } from './metrics.registry';

/**
 * Prometheus' text format, no key: on the management listener when it is open, else on the internal
 * one (both private; docs/api.md, "Listeners").
 */
@ApiExcludeController()
@ServedOn('internal', 'management')
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
