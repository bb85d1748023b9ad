import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { PoolSettings, dataSourceOptions } from '@/database/data-source-options';
import { makePki } from '../support/certs';
import { TestDatabase, createTestDatabase } from '../support/databases';
import { TestApp } from '../support/harness';
import { PgTlsProxy } from '../support/pg-tls-proxy';

/**
 * TLS to PostgreSQL (docs/deployment.md, "PostgreSQL over TLS"): pxauth in front of a PostgreSQL that speaks TLS
 * with a certificate for 127.0.0.1 from a CA this test makes (a TLS-ending proxy in front of this
 * machine's server). verify-full with the right CA signs in and serves; a wrong CA, or a host the
 * certificate does not name, is refused before anything is sent; require encrypts without checking.
 */
describe('PostgreSQL over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pxauth-pg-tls-'));
  const [good, other] = ['good', 'other'].map((d) => join(dir, d));
  let db: TestDatabase;
  let proxy: PgTlsProxy;
  let pki: ReturnType<typeof makePki>;
  let wrongCa: string;
  const urlVia = (host: string) => {
    const u = new URL(db.url);
    u.hostname = host;
    u.port = String(proxy.port);
    return u.toString();
  };
  const connectWith = async (url: string, ssl: PoolSettings['ssl']) => {
    const pool = { poolSize: 1, statementTimeoutMs: 5_000, connectTimeoutMs: 3_000, ssl };
    const ds = await new DataSource(dataSourceOptions(url, pool)).initialize();
    try {
      return await ds.query<unknown[]>('SELECT 1 AS ok');
    } finally {
      await ds.destroy();
    }
  };

  beforeAll(async () => {
    for (const d of [good, other]) mkdirSync(d);
    pki = makePki(good);
    wrongCa = makePki(other).ca;
    db = await createTestDatabase(dir);
    const u = new URL(db.url);
    proxy = new PgTlsProxy(
      { host: u.hostname, port: Number(u.port || 5432) },
      {
        certFile: pki.serverCert,
        keyFile: pki.serverKey,
      },
    );
    await proxy.start();
  });
  afterAll(async () => {
    await proxy?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verify-full with the CA that signed the server: pxauth starts, migrates and serves a login over TLS only', async () => {
    const t = await TestApp.start({
      DATABASE_URL: urlVia('127.0.0.1'),
      DATABASE_SSL_MODE: 'verify-full',
      DATABASE_SSL_CA: pki.ca,
    });
    try {
      expect((await t.login('user_good')).status).toBe(200);
      expect(proxy.tls).toBeGreaterThan(0);
      expect(proxy.plain).toBe(0);
    } finally {
      await t.stop();
    }
  });

  it('verify-full refuses a server whose certificate another CA signed, and a host it does not name', async () => {
    const before = proxy.tls;
    await expect(connectWith(urlVia('127.0.0.1'), { mode: 'verify-full', caFile: wrongCa })).rejects.toThrow(
      /self[- ]signed|unable to verify|certificate/i,
    );
    await expect(connectWith(urlVia('localhost'), { mode: 'verify-full', caFile: pki.ca })).rejects.toThrow(
      /Hostname\/IP does not match|altnames/i,
    );
    expect(proxy.tls).toBeGreaterThan(before);
  });

  it('require encrypts without checking the server; disable speaks plain', async () => {
    const tls = proxy.tls;
    expect(await connectWith(urlVia('127.0.0.1'), { mode: 'require' })).toEqual([{ ok: 1 }]);
    expect(proxy.tls).toBe(tls + 1);
    const plain = proxy.plain;
    expect(await connectWith(urlVia('127.0.0.1'), { mode: 'disable' })).toEqual([{ ok: 1 }]);
    expect(proxy.plain).toBe(plain + 1);
  });
});
