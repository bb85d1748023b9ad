import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, settingNames } from './load-config';

/**
 * docs/configuration.md is the settings reference a bank reads: every setting of AppConfig has one row
 * there, nothing else has one, and a default written as a value is the class's own default. A setting
 * added to the class without its row fails here, in the unit tier.
 */
const page = readFileSync(join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
const rows = [...page.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \| (.*?) \| (.*) \|$/gm)].map(([, name, def, meaning]) => ({
  name,
  def,
  meaning,
}));

describe('docs/configuration.md', () => {
  it('has one row for every setting of AppConfig, and none for anything else', () => {
    const documented = rows.map((r) => r.name);
    const names = settingNames();
    expect({ undocumented: names.filter((n) => !documented.includes(n)) }).toEqual({ undocumented: [] });
    expect({ unknown: documented.filter((n) => !names.includes(n)) }).toEqual({ unknown: [] });
    expect({ twice: documented.filter((n, i) => documented.indexOf(n) !== i) }).toEqual({ twice: [] });
  });

  it('says what each setting does, and a default it states is the one the class uses', () => {
    const defaults = loadConfig({}) as unknown as Record<string, unknown>;
    for (const { name, def, meaning } of rows) {
      expect([name, meaning.trim().length > 0, def.trim().length > 0]).toEqual([name, true, true]);
      // A default in backticks is a value: read as that setting, it must give what an unset one gives.
      const value = /^`([^`]*)`$/.exec(def.trim());
      if (value) {
        const read = (loadConfig({ [name]: value[1] }) as unknown as Record<string, unknown>)[name];
        expect([name, read]).toEqual([name, defaults[name]]);
      }
      if (def.trim() === 'unset') expect([name, defaults[name]]).toEqual([name, undefined]);
    }
  });
});
