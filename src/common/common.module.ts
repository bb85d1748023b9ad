import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@/config/app-config';
import { KeyRing } from './crypto/key-ring';
import { ensureTexts } from './i18n/texts';

/** The texts of the app's TEXTS_DIR, installed when the app is built unless main.ts did (docs/texts.md). */
export const TEXTS_INSTALLED = Symbol('TEXTS_INSTALLED');

@Global()
@Module({
  providers: [
    KeyRing,
    { provide: TEXTS_INSTALLED, inject: [AppConfig], useFactory: (c: AppConfig) => (ensureTexts(c.TEXTS_DIR), true) },
  ],
  exports: [KeyRing],
})
export class CommonModule {}
