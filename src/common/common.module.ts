import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@/config/app-config';
import { KeyRing } from './crypto/key-ring';
import { installTexts } from './i18n/texts';

/** The texts, installed with the app's TEXTS_DIR when the app is built (docs/texts.md). */
export const TEXTS_INSTALLED = Symbol('TEXTS_INSTALLED');

@Global()
@Module({
  providers: [
    KeyRing,
    { provide: TEXTS_INSTALLED, inject: [AppConfig], useFactory: (c: AppConfig) => (installTexts(c.TEXTS_DIR), true) },
  ],
  exports: [KeyRing],
})
export class CommonModule {}
