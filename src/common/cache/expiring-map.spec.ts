import { ExpiringMap } from './expiring-map';

describe(ExpiringMap.name, () => {
  it('answers a value for ttlMs after it is set, then nothing', () => {
    const m = new ExpiringMap<string, number>(5_000, 10);
    m.set('a', 1, 1_000);
    expect(m.get('a', 5_999)).toBe(1);
    expect(m.get('a', 6_000)).toBeUndefined();
    expect(m.get('b', 1_000)).toBeUndefined();
  });

  it('starts again empty when full, and forgets by key or by value', () => {
    const m = new ExpiringMap<string, { id: string }>(5_000, 2);
    m.set('a', { id: 'x' }, 0);
    m.set('b', { id: 'y' }, 0);
    m.set('c', { id: 'x' }, 0);
    expect([m.get('a', 1), m.get('b', 1), m.get('c', 1)]).toEqual([undefined, undefined, { id: 'x' }]);
    m.set('d', { id: 'y' }, 0);
    m.deleteWhere((v) => v.id === 'x');
    expect([m.get('c', 1), m.get('d', 1)]).toEqual([undefined, { id: 'y' }]);
    m.delete('d');
    expect(m.get('d', 1)).toBeUndefined();
  });
});
