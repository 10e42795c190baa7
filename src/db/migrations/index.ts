import type { Migration, MigrationProvider } from "kysely";
import type { Dialect } from "../dialect.js";
import { foundation } from "./0001_foundation.js";

/** Every migration, in order. Names are permanent: never rename or reorder one that shipped. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    "0001_foundation": foundation(dialect),
  };
  return { getMigrations: async () => migrations };
}
