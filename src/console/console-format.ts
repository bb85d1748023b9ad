import type { ConsoleLocale } from './console-i18n';

/**
 * Times as people at a help desk read them: a date and a time in their language, in CONSOLE_TIMEZONE,
 * with that zone named after it (docs/console.md, "Dates and time zone"), so that no one reads the wrong hour.
 */
export function formatTime(at: number | string, locale: ConsoleLocale, timeZone: string): string {
  const d = new Date(at);
  const text = new Intl.DateTimeFormat(locale === 'es' ? 'es-ES' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'medium',
    timeZone,
  }).format(d);
  return `${text} ${timeZone}`;
}

/** A length of time in words ("14 minutes", "8 horas"), rounded up to the largest whole unit that fits. */
export function formatDuration(ms: number, locale: ConsoleLocale): string {
  const units: [Intl.NumberFormatOptions['unit'], number][] = [
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
    ['second', 1_000],
  ];
  const [unit, size] = units.find(([, size]) => ms >= size) ?? units[units.length - 1];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(
    Math.max(1, Math.ceil(ms / size)),
  );
}
