import { Module } from '@nestjs/common';
import { OtpModule } from '@/otp/otp.module';
import { UsersModule } from '@/users/users.module';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics.registry';
import { MetricsSubscriber } from './metrics.subscriber';
import { RuntimeMetrics } from './runtime.metrics';
import { StateMetrics } from './state.metrics';

/** GET /metrics on the internal listener, fed by the domain events and the runtime. */
@Module({
  imports: [UsersModule, OtpModule],
  controllers: [MetricsController],
  providers: [MetricsRegistry, MetricsSubscriber, RuntimeMetrics, StateMetrics],
  exports: [MetricsRegistry],
})
export class MetricsModule {}
