import { type Kysely, sql } from "kysely";
import type { Dialect } from "./dialect.js";
import type { Tables } from "./schema.js";

/**
 * Runs several reads on one snapshot of the database: what they read belongs together (an
 * envelope and its recipients, never half of a change). On SQLite they share one read
 * transaction, which also spares each statement taking and releasing its own (a third of the cost
 * of a point lookup); PostgreSQL reads in parallel on the pool instead, as a transaction would
 * cost two more round trips. Not for use inside a transaction.
 */
export async function inReadSnapshot<T>(
  db: Kysely<Tables>,
  dialect: Dialect,
  read: (db: Kysely<Tables>) => Promise<T>,
): Promise<T> {
  if (dialect !== "sqlite") return read(db);
  return db.connection().execute(async (connection) => {
    await sql`begin deferred`.execute(connection);
    try {
      const result = await read(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      await sql`rollback`.execute(connection);
      throw error;
    }
  });
}
