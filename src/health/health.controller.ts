import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { apiText, PxError } from '@/common/errors/px.error';
import { BUILD_INFO } from '@/common/build-info';
import { Lifecycle } from './lifecycle';

/** /healthz: the process answers, and says which version runs on which Node. /readyz: and its database answers. */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly lifecycle: Lifecycle,
  ) {}

  @Get('healthz')
  @HealthCheck()
  async alive() {
    return { ...(await this.health.check([])), ...BUILD_INFO };
  }

  @Get('readyz')
  @HealthCheck()
  ready() {
    if (this.lifecycle.draining)
      throw PxError.unavailable(new Date(Date.now() + 30_000), apiText('unavailable.shuttingDown'));
    return this.health.check([() => this.db.pingCheck('database', { timeout: 2000 })]);
  }
}
