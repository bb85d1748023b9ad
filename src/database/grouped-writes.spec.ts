import { GroupedWrites } from './grouped-writes';

describe(GroupedWrites.name, () => {
  it("writes the rows of one turn's callers as one insert, in order, and resolves each after it", async () => {
    const inserts: string[][] = [];
    const grouped = new GroupedWrites<string>((rows) => Promise.resolve(void inserts.push(rows)), 100);
    const done: string[] = [];
    const writes = [['a1', 'a2'], ['b1'], ['c1']].map((rows) => grouped.write(rows).then(() => done.push(rows[0])));
    expect(inserts).toEqual([]);
    await Promise.all(writes);
    expect(inserts).toEqual([['a1', 'a2', 'b1', 'c1']]);
    expect(done).toEqual(['a1', 'b1', 'c1']);
    await grouped.write(['d1']);
    expect(inserts).toEqual([['a1', 'a2', 'b1', 'c1'], ['d1']]);
  });

  it('splits a turn into inserts of at most maxRows, never one caller across two', async () => {
    const inserts: string[][] = [];
    const grouped = new GroupedWrites<string>((rows) => Promise.resolve(void inserts.push(rows)), 3);
    await Promise.all([['a1', 'a2'], ['b1', 'b2'], ['c1'], ['d1', 'd2', 'd3', 'd4']].map((r) => grouped.write(r)));
    expect(inserts).toEqual([
      ['a1', 'a2'],
      ['b1', 'b2', 'c1'],
      ['d1', 'd2', 'd3', 'd4'],
    ]);
  });

  it("fails only the caller whose row the database refuses, as that caller's own insert would have", async () => {
    const inserts: string[][] = [];
    const grouped = new GroupedWrites<string>((rows) => {
      if (rows.includes('bad')) return Promise.reject(new Error('refused'));
      inserts.push(rows);
      return Promise.resolve();
    }, 100);
    const results = await Promise.allSettled([grouped.write(['a']), grouped.write(['bad']), grouped.write(['c'])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(inserts).toEqual([['a'], ['c']]);
  });

  it('writes nothing for no rows', async () => {
    const insert = jest.fn(() => Promise.resolve());
    await new GroupedWrites<string>(insert, 10).write([]);
    expect(insert).not.toHaveBeenCalled();
  });
});
