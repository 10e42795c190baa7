import type { Migration, MigrationProvider } from "kysely";
import { foundation } from "./0001_foundation.js";

/** Every migration, in order. Names are permanent: never rename or reorder one that shipped. */
const migrations: Record<string, Migration> = {
  "0001_foundation": foundation,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
