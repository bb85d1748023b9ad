import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, settingNames } from './load-config';

/**
 * `.env.example` documents every setting (docs/architecture.md#storage) and AppConfig reads every setting it
 * documents: compared both ways, with each line's value the default, so that neither drifts again.
 */
const lines = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8')
  .split('\n')
  .map((line) => /^([A-Z][A-Z0-9_]*)=(\S*)\s*(#.*)?$/.exec(line))
  .filter((m) => m !== null)
  .map(([, name, value, comment]) => ({ name, value, comment }));

describe('.env.example', () => {
  it('lists every setting of AppConfig, and nothing else, once each', () => {
    const listed = lines.map((l) => l.name);
    const names = settingNames();
    expect({ missing: names.filter((n) => !listed.includes(n)) }).toEqual({ missing: [] });
    expect({ unknown: listed.filter((n) => !names.includes(n)) }).toEqual({ unknown: [] });
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('says what each setting is, and shows its default', () => {
    const defaults = loadConfig({}) as unknown as Record<string, unknown>;
    for (const { name, value, comment } of lines) {
      expect([name, (comment ?? '').replace(/^#\s*/, '').length > 0]).toEqual([name, true]);
      // An empty value is a setting that is unset by default; any other is read as the default.
      const shown =
        value === '' ? undefined : (loadConfig({ [name]: value }) as unknown as Record<string, unknown>)[name];
      expect([name, shown]).toEqual([name, defaults[name]]);
    }
  });
});
