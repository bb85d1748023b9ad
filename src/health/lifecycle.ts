import { Injectable } from '@nestjs/common';

/** Whether the process is shutting down: /readyz then answers 503 so a load balancer stops sending. */
@Injectable()
export class Lifecycle {
  draining = false;
}
