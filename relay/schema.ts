/** Table types for Kysely. One interface per table; keep in step with migrations.ts. */
export interface MetaTable {
  key: string;
  value: string;
}

export interface DB {
  meta: MetaTable;
}
