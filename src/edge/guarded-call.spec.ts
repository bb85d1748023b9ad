import { PinoLogger } from 'nestjs-pino';
import { storage } from 'nestjs-pino/storage';
import pino from 'pino';
import { lazyStore } from './guarded-call';

describe('the lean routes’ per-request logger (lazyStore)', () => {
  const setup = (level: string) => {
    const lines: Record<string, unknown>[] = [];
    const root = pino({ level }, { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) });
    const make = jest.fn(() => root.child({ request_id: 'req-1' }));
    const log = new PinoLogger({ pinoHttp: { level } });
    return { store: lazyStore(root, make), make, lines, log };
  };

  it('makes no child for a line the level drops, and one for the first line it keeps', () => {
    const { store, make, lines, log } = setup('warn');
    storage.run(store, () => {
      log.info({ event: 'login' }, 'audit');
      expect(make).not.toHaveBeenCalled();
      log.warn({ reason: 'x' }, 'delivery channel failed');
      log.error('again');
    });
    expect(make).toHaveBeenCalledTimes(1);
    expect(lines.map((l) => [l.msg, l.request_id])).toEqual([
      ['delivery channel failed', 'req-1'],
      ['again', 'req-1'],
    ]);
  });

  it('at info, every line carries the request, and assigned fields stay on the request’s logger', () => {
    const { store, make, lines, log } = setup('info');
    storage.run(store, () => {
      log.assign({ user_id: 'u1' });
      log.info({ event: 'login' }, 'audit');
    });
    expect(make).toHaveBeenCalledTimes(1);
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'audit', event: 'login', request_id: 'req-1', user_id: 'u1' }),
    ]);
  });
});
