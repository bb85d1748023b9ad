import type { EntityMetadata, ValueTransformer } from 'typeorm';

export interface RowMapper<T> {
  /** `"col1", "col2", …`: every column of the entity, quoted for both engines. */
  columns: string;
  map(row: Record<string, unknown>): T;
}

/**
 * Reads an entity from a plain `runSql` row with the entity's own column names and transformers:
 * for the lookups on every login, where the ORM's query building cost more than the query.
 */
export function rowMapper<T>(metadata: EntityMetadata): RowMapper<T> {
  const cols = metadata.columns.map((c) => {
    const t = c.transformer as ValueTransformer | undefined;
    return { db: c.databaseName, prop: c.propertyName, from: t && !Array.isArray(t) ? t : undefined };
  });
  return {
    columns: cols.map((c) => `"${c.db}"`).join(', '),
    map: (row) => {
      const entity = metadata.create() as Record<string, unknown>;
      for (const c of cols) entity[c.prop] = c.from ? (c.from.from(row[c.db]) as unknown) : row[c.db];
      return entity as T;
    },
  };
}
