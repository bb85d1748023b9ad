import { Global, Module } from '@nestjs/common';
import { KeyRing } from './crypto/key-ring';

@Global()
@Module({ providers: [KeyRing], exports: [KeyRing] })
export class CommonModule {}
