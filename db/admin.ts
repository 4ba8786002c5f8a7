/** Sharding and replication of the three tables: what `set-shards` and `set-replicas` do (SPEC.md §7). */
import { Database, TABLES } from './connection';

interface TableConfig {
  shards: { replicas: string[] }[];
}

/** Reconfigures every table to `shards` shards, keeping each table's replica count. */
export async function setShards(db: Database, shards: number): Promise<void> {
  for (const table of TABLES) {
    const config = await db.run<TableConfig>(db.table(table).config());
    await db.run(db.table(table).reconfigure({ shards, replicas: config.shards[0]?.replicas.length ?? 1 }));
  }
}

/** Reconfigures every table to `replicas` replicas, keeping each table's shard count. */
export async function setReplicas(db: Database, replicas: number): Promise<void> {
  for (const table of TABLES) {
    const config = await db.run<TableConfig>(db.table(table).config());
    await db.run(db.table(table).reconfigure({ shards: config.shards.length, replicas }));
  }
}
