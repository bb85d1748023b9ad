import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@/config/load-config';
import { loadCatalogues } from './texts-files';
import { installTexts, text } from './texts';

describe(loadCatalogues.name, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'texts-spec-'))));
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    installTexts();
  });
  const write = (name: string, content: unknown) =>
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  const refusal = () => {
    try {
      loadCatalogues(dir);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('not refused');
  };

  it('merges an override over the defaults, key by key, in its language only', () => {
    write('es.json', { signin: { signIn: 'Entrar' } });
    const c = loadCatalogues(dir);
    expect(c.es.signin.signIn).toBe('Entrar');
    expect(c.es.signin.cancel).toBe('Cancelar');
    expect(c.en.signin.signIn).toBe('Sign in');
    expect(c.es.passcode.sms).toBe(loadCatalogues().es.passcode.sms);
  });

  it('fills an installed override with its values', () => {
    write('en.json', { passcode: { sms: '{{code}} is your {{institution}} code ({{lifetime}})' } });
    installTexts(dir);
    expect(text('en', 'passcode', 'sms', { code: '123456', institution: 'B', lifetime: '5 minutes' })).toBe(
      '123456 is your B code (5 minutes)',
    );
  });

  it('refuses an unknown key and an unknown surface, naming the file and the key', () => {
    write('en.json', { signin: { signInTitel: 'Hello' } });
    expect(refusal()).toBe(`TEXTS_DIR: ${join(dir, 'en.json')}: unknown key "signin.signInTitel"`);
    write('en.json', { singin: {} });
    expect(refusal()).toContain('unknown key "singin"');
  });

  it('refuses a text that drops a placeholder its default has: a passcode SMS without its code', () => {
    write('es.json', { passcode: { sms: '{{institution}}: su código caduca en {{lifetime}}.' } });
    expect(refusal()).toBe(`TEXTS_DIR: ${join(dir, 'es.json')}: "passcode.sms" lacks {{code}}, which the default has`);
  });

  it('refuses a file that is not JSON, naming the file, and a value that is not a string', () => {
    write('en.json', '{ "signin": { "signIn": "Go", } }');
    expect(refusal()).toMatch(new RegExp(`^TEXTS_DIR: ${join(dir, 'en.json')} is not valid JSON`));
    write('en.json', { signin: { signIn: 3 } });
    expect(refusal()).toContain('"signin.signIn" must be a string');
  });

  it('refuses an email template that does not show the code', () => {
    write('passcode-email.html.eta', '<p><%= it.intro %></p>');
    expect(() => installTexts(dir)).toThrow(`TEXTS_DIR: ${join(dir, 'passcode-email.html.eta')} does not show it.code`);
  });

  it('takes the defaults when TEXTS_DIR holds no file of a language', () => {
    expect(loadCatalogues(dir)).toEqual(loadCatalogues());
  });
});
