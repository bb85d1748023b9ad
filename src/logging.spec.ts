import { loadConfig } from './config/load-config';
import { NestBootAtDebug, loggerParams, startupSummary } from './logging';

describe(startupSummary.name, () => {
  const urls = { public: 'http://127.0.0.1:3000', internal: 'http://127.0.0.1:3001' };

  it('names the database without its user or password, and Redis without its password', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://pxauth:db-Secret-77@db.internal:5432/pxauth?sslmode=require',
      REDIS_URL: 'redis://:redis-Secret-88@cache.internal:6379/2',
      THROTTLE_PER_CLIENT: '50',
    });
    const sut = startupSummary(config, urls, 'local');
    expect(sut).toMatchObject({
      ...urls,
      database: 'postgres://db.internal:5432/pxauth',
      delivery: 'outbox',
      credential_source: 'local',
      sandbox: true,
      throttle: { per_client: 50, per_address: 0 },
      throttle_store: 'redis://cache.internal:6379/2',
    });
    expect(JSON.stringify(sut)).not.toMatch(/Secret/);
  });

  it('says sqlite and memory when that is what runs', () => {
    const sut = startupSummary(loadConfig({ DATABASE_URL: 'sqlite:data/x.sqlite', SANDBOX: 'false' }), urls, 'ldap');
    expect(sut).toMatchObject({ database: 'sqlite:data/x.sqlite', sandbox: false, throttle_store: 'memory' });
  });
});

describe(loggerParams.name, () => {
  const destination = (format: string, stream?: object) =>
    (loggerParams(loadConfig({ LOG_FORMAT: format }), stream as never).pinoHttp as unknown[])[1];

  it('writes pretty lines when asked, JSON lines to a given stream or when asked for json', () => {
    const pretty = destination('pretty') as { write?: unknown };
    expect(typeof pretty?.write).toBe('function');
    expect(destination('json')).toBeUndefined();
    const capture = { write: () => true };
    expect(destination('auto', capture)).toBe(capture);
  });
});

describe(NestBootAtDebug.name, () => {
  const setup = () => {
    const inner = { log: jest.fn(), debug: jest.fn(), warn: jest.fn(), error: jest.fn() };
    return { inner, sut: new NestBootAtDebug(inner) };
  };

  it("lowers Nest's start-up lines to debug and leaves every other line where it was", () => {
    const { inner, sut } = setup();
    sut.log('Mapped {/users/auth_token, POST} route', 'RouterExplorer');
    sut.log('Nest application successfully started', 'NestApplication');
    sut.log({ public: 'http://127.0.0.1:3000' }, 'pxauth started', 'pxauth');
    expect(inner.debug.mock.calls).toEqual([
      ['Mapped {/users/auth_token, POST} route', 'RouterExplorer'],
      ['Nest application successfully started', 'NestApplication'],
    ]);
    expect(inner.log.mock.calls).toEqual([[{ public: 'http://127.0.0.1:3000' }, 'pxauth started', 'pxauth']]);
  });

  it("keeps Nest's warnings and errors at their level", () => {
    const { inner, sut } = setup();
    sut.warn('a module warned', 'InstanceLoader');
    sut.error('a route failed', 'stack', 'RouterExplorer');
    expect(inner.warn).toHaveBeenCalledWith('a module warned', 'InstanceLoader');
    expect(inner.error).toHaveBeenCalledWith('a route failed', 'stack', 'RouterExplorer');
    expect(inner.debug).not.toHaveBeenCalled();
  });
});
