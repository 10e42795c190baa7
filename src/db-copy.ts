import path from "node:path";
import SQLite from "better-sqlite3";
import { sql } from "kysely";
import type { Config } from "./config.js";
import { openDatabase, SQLITE_FILE_NAME } from "./db/database.js";
import { findChainBreak } from "./domain/event-chain.js";
import { copyFromDisk } from "./services/blob-references.js";
import { chainedEventOf } from "./services/event-log.js";
import { DatabaseBlobStore } from "./storage/database-blob-store.js";
import { FilesystemBlobStore } from "./storage/filesystem-blob-store.js";

/** Rows read from SQLite and written to PostgreSQL at a time. */
const BATCH_ROWS = 500;
/** Tables of the moment, worthless elsewhere: rebuilt by the new deployment as it runs. */
const NOT_COPIED = new Set(["rate_limit_buckets"]);
/**
 * The database blob store's tables: PostgreSQL gets, besides their rows, the files SQLite's
 * deployment kept on disk; so their rows are never removed for being absent from SQLite, and
 * their counts are not compared (the files are checked by their hashes).
 */
const FILE_TABLES = new Set(["stored_blobs", "stored_blob_chunks"]);

export interface CopyReport {
  /** Each table's rows, and how many this run wrote (new or changed since an earlier run). */
  tables: { name: string; rows: number; copied: number }[];
  files: { copied: number; already: number; missing: string[]; damaged: string[] };
  envelopes: number;
  /** Envelopes whose event chain, recomputed on PostgreSQL, does not hold (with the sequence). */
  brokenChains: { envelopeId: string; sequence: number }[];
  /** Tables whose row count differs between the two databases. */
  mismatches: { name: string; source: number; target: number }[];
}

/**
 * Copies a whole SQLite deployment (every table, every stored file) into the PostgreSQL database
 * `to`, then checks it: row counts, each file's SHA-256 (computed as it is copied), every
 * envelope's event chain recomputed. Resumable: rows and files already there are left as they
 * are, so a copy stopped halfway is finished by running it again, and a last run with the
 * service stopped takes what changed meanwhile. The SQLite side is read from one snapshot.
 */
export async function copyToPostgres(
  config: Config,
  to: string,
  progress: (line: string) => void = () => {},
): Promise<CopyReport> {
  if (config.databaseUrl) {
    throw new Error("db copy moves a SQLite deployment: this one already uses PostgreSQL.");
  }
  const source = new SQLite(path.join(config.dataDir, SQLITE_FILE_NAME), { readonly: true });
  const target = openDatabase({ databaseUrl: to, dataDir: config.dataDir });
  try {
    await target.migrate();
    // One read transaction: every table as of the same moment.
    source.exec("BEGIN");
    const report: CopyReport = {
      tables: [],
      files: { copied: 0, already: 0, missing: [], damaged: [] },
      envelopes: 0,
      brokenChains: [],
      mismatches: [],
    };
    const tables = tablesInOrder(source).map((name) => shapeOf(source, name));
    // Rows deleted since an earlier run, children before their parents.
    for (const table of [...tables].reverse()) {
      const removed = await removeDeleted(source, target.db, table);
      if (removed > 0)
        progress(`${table.name}: ${removed} rows deleted since the last copy removed`);
    }
    for (const table of tables) {
      const copied = await copyTable(source, target.db, table);
      report.tables.push(copied);
      progress(`${table.name}: ${copied.copied} of ${copied.rows} rows written`);
    }
    report.files = await copyFiles(source, config, target.db, progress);
    for (const { name, rows } of report.tables.filter((t) => !FILE_TABLES.has(t.name))) {
      const { count } = await target.db
        .selectFrom(name as never)
        .select((eb) => eb.fn.countAll<string>().as("count"))
        .executeTakeFirstOrThrow();
      if (Number(count) !== rows)
        report.mismatches.push({ name, source: rows, target: Number(count) });
    }
    ({ envelopes: report.envelopes, broken: report.brokenChains } = await checkChains(target.db));
    source.exec("COMMIT");
    // The planner's statistics, which autovacuum would take a minute to gather.
    await sql`analyze`.execute(target.db);
    return report;
  } finally {
    source.close();
    await target.close();
  }
}

/** The application's tables, each after those its foreign keys point to. */
function tablesInOrder(source: SQLite.Database): string[] {
  const names = (
    source
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name",
      )
      .all() as { name: string }[]
  )
    .map((row) => row.name)
    .filter((name) => !NOT_COPIED.has(name));
  const ordered: string[] = [];
  const visit = (name: string, path: Set<string>) => {
    if (ordered.includes(name) || path.has(name)) return;
    path.add(name);
    for (const key of source.pragma(`foreign_key_list(${quote(name)})`) as { table: string }[]) {
      if (key.table !== name && names.includes(key.table)) visit(key.table, path);
    }
    ordered.push(name);
  };
  for (const name of names) visit(name, new Set());
  return ordered;
}

type Target = ReturnType<typeof openDatabase>["db"];

interface TableShape {
  name: string;
  columns: string[];
  key: string[];
}

function shapeOf(source: SQLite.Database, name: string): TableShape {
  const columns = source.pragma(`table_info(${quote(name)})`) as { name: string; pk: number }[];
  const key = columns
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
  return { name, columns: columns.map((c) => c.name), key: key.length > 0 ? key : ["rowid"] };
}

/**
 * Removes from PostgreSQL the rows of `table` that SQLite no longer has (deleted since an earlier
 * run), looking each one up in SQLite by its key.
 */
async function removeDeleted(source: SQLite.Database, target: Target, table: TableShape) {
  if (table.key[0] === "rowid" || FILE_TABLES.has(table.name)) return 0;
  const exists = source.prepare(
    `select 1 from ${quote(table.name)} where ${table.key.map((k) => `${quote(k)} = ?`).join(" and ")}`,
  );
  let removed = 0;
  let after: unknown[] | undefined;
  for (;;) {
    let page = target
      .selectFrom(table.name as never)
      .select(table.key as never)
      .limit(BATCH_ROWS);
    for (const column of table.key) page = page.orderBy(column as never);
    if (after) {
      const [first] = table.key;
      // Keyset pagination on the key (the first column, then the others, as a row value).
      page =
        table.key.length === 1
          ? page.where(first as never, ">", after[0] as never)
          : page.where(
              sql`(${sql.join(table.key.map((k) => sql.ref(k)))})`,
              ">",
              sql`(${sql.join(after)})`,
            );
    }
    const rows = (await page.execute()) as Record<string, unknown>[];
    if (rows.length === 0) return removed;
    after = table.key.map((k) => rows.at(-1)![k]);
    for (const row of rows) {
      const values = table.key.map((k) => row[k]);
      if (exists.get(...values)) continue;
      let remove = target.deleteFrom(table.name as never);
      for (const [i, k] of table.key.entries())
        remove = remove.where(k as never, "=", values[i] as never);
      await remove.execute();
      removed++;
    }
  }
}

/** Writes every row of `table` to PostgreSQL: new ones inserted, changed ones updated. */
async function copyTable(
  source: SQLite.Database,
  target: Target,
  table: TableShape,
): Promise<{ name: string; rows: number; copied: number }> {
  const { name, key } = table;
  const { rows } = source.prepare(`select count(*) as rows from ${quote(name)}`).get() as {
    rows: number;
  };
  // Chunks of stored files are 1 MB each: a few at a time.
  const batchRows = name === "stored_blob_chunks" ? 4 : BATCH_ROWS;
  const read = source.prepare(
    `select rowid as __rowid, * from ${quote(name)} where rowid > ? order by rowid limit ${batchRows}`,
  );
  const others = table.columns.filter((c) => !key.includes(c));
  // A table without a primary key cannot be merged row by row: it is written anew.
  const anew = key[0] === "rowid";
  if (anew) await target.deleteFrom(name as never).execute();
  let copied = 0;
  for (let last = -1; ; ) {
    const batch = read.all(last) as Record<string, unknown>[];
    if (batch.length === 0) break;
    last = Number(batch.at(-1)!.__rowid);
    const values = batch.map(({ __rowid, ...row }) => row);
    // A row already there is updated only if it changed: a run after an earlier one writes
    // what changed meanwhile, and counts only that.
    if (anew) {
      await target
        .insertInto(name as never)
        .values(values as never)
        .execute();
      copied += values.length;
      continue;
    }
    const written = await target
      .insertInto(name as never)
      .values(values as never)
      .onConflict((c) => {
        const conflict = c.columns(key as never);
        if (others.length === 0) return conflict.doNothing();
        return conflict
          .doUpdateSet(
            Object.fromEntries(others.map((col) => [col, sql.ref(`excluded.${col}`)])) as never,
          )
          .where(
            sql`(${sql.join(others.map((col) => sql.ref(`${name}.${col}`)))})`,
            "is distinct from",
            sql`(${sql.join(others.map((col) => sql.ref(`excluded.${col}`)))})`,
          );
      })
      .executeTakeFirst();
    copied += Number(written.numInsertedOrUpdatedRows ?? 0);
  }
  return { name, rows, copied };
}

/** Every file the rows reference, into the database blob store, each checked by its hash. */
async function copyFiles(
  source: SQLite.Database,
  config: Config,
  target: ReturnType<typeof openDatabase>["db"],
  progress: (line: string) => void,
): Promise<CopyReport["files"]> {
  const referenced = (
    source
      .prepare(
        `select sha256 from documents
         union select sha256 from sealed_documents
         union select signature_image_sha256 from recipients where signature_image_sha256 is not null`,
      )
      .all() as { sha256: string }[]
  ).map((row) => row.sha256);
  const blobs = path.join(config.dataDir, "blobs");
  const disk = new FilesystemBlobStore(blobs);
  const store = new DatabaseBlobStore(target, path.join(blobs, "tmp"), { earlier: disk });
  // A fresh database: no other writer to order with, each file committed on its own.
  const files = await copyFromDisk(referenced, store, async (staged) => {
    await staged.commit(target);
    return true;
  });
  progress(`stored files: ${files.copied} copied, ${files.already} already there`);
  return files;
}

/** Every envelope's event chain recomputed from the rows as PostgreSQL holds them. */
async function checkChains(
  target: ReturnType<typeof openDatabase>["db"],
): Promise<{ envelopes: number; broken: CopyReport["brokenChains"] }> {
  const broken: CopyReport["brokenChains"] = [];
  const envelopes = await target.selectFrom("envelopes").select("id").orderBy("id").execute();
  for (const { id } of envelopes) {
    const rows = await target
      .selectFrom("events")
      .selectAll()
      .where("envelope_id", "=", id)
      .orderBy("sequence")
      .execute();
    const sequence = findChainBreak(rows.map(chainedEventOf));
    if (sequence !== undefined) broken.push({ envelopeId: id, sequence });
  }
  return { envelopes: envelopes.length, broken };
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
