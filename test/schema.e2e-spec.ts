import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '@/database/data-source-options';
import { migrate } from '@/database/migrate';
import { MIGRATIONS } from '@/database/migrations';
import { ENTITIES } from '@/entities';
import { TEST_ENGINE, TestDatabase, createTestDatabase } from './support/databases';

describe(`schema (${TEST_ENGINE})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pxauth-schema-'));
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(dir);
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one set of migrations builds exactly the schema the entities describe (nothing left for synchronize)', async () => {
    const ds = await new DataSource(dataSourceOptions(db.url, undefined, ENTITIES)).initialize();
    try {
      expect((await migrate(ds)).map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      expect(await migrate(ds)).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });

  it('replicas starting at once migrate once: the others wait, then find nothing to do', async () => {
    const other = await createTestDatabase(mkdtempSync(join(dir, 'replicas-')));
    const sources = await Promise.all(
      [1, 2, 3].map(() => new DataSource(dataSourceOptions(other.url, undefined, ENTITIES)).initialize()),
    );
    try {
      const runs = await Promise.all(sources.map((ds) => migrate(ds)));
      expect(runs.map((r) => r.length).sort()).toEqual([0, 0, MIGRATIONS.length]);
    } finally {
      await Promise.all(sources.map((ds) => ds.destroy()));
      await other.drop();
    }
  });
});
