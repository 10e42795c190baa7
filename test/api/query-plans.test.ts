import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CompiledQuery, type Kysely, sql } from "kysely";
import { type ListFilters, newestFirstQuery } from "../../src/db/pagination.js";
import type { Tables } from "../../src/db/schema.js";
import { envelopeListFilters } from "../../src/services/envelopes/index.js";
import { overdueQuery } from "../../src/services/expiry.js";
import {
  doneBeforeQuery,
  failedNewestFirstQuery,
  firstClaimableQuery,
  type JobKind,
  unfinishedInLaneQuery,
} from "../../src/services/job-queue/index.js";
import { dueRemindersQuery } from "../../src/services/reminders.js";
import { attemptsQuery } from "../../src/services/webhooks/index.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

type Listed = Parameters<typeof newestFirstQuery>[1];

/**
 * Every list the API pages through is served by an index, in its order: however many rows an
 * account holds, a page reads about a page of rows (issue 15). Checked on the plan each database
 * makes, with and without a cursor.
 */
describe("query plans of the lists", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const scope = { accountId: "acct_plan", environment: "test" as const };
  const cursor = { id: "env_x", created_at: "2026-01-01T00:00:00.000Z" };

  /** The plan's lines: SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN with scans and sorts discouraged. */
  async function plan(compiled: CompiledQuery): Promise<string> {
    const db = t.app.database.db as Kysely<Tables>;
    if (t.app.database.dialect === "sqlite") {
      const rows = await db.executeQuery<{ detail: string }>(
        CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]),
      );
      return rows.rows.map((row) => row.detail).join("\n");
    }
    // An empty table is cheaper to scan and sort than to search: the planner is told to avoid
    // both when an index can serve, and whether one can is what is checked here.
    return db.connection().execute(async (connection) => {
      const settings = ["enable_seqscan", "enable_bitmapscan", "enable_sort"];
      for (const name of settings) await sql`${sql.raw(`set ${name} = off`)}`.execute(connection);
      try {
        const rows = await connection.executeQuery<{ "QUERY PLAN": string }>(
          CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]),
        );
        return rows.rows.map((row) => row["QUERY PLAN"]).join("\n");
      } finally {
        for (const name of settings) await sql`${sql.raw(`reset ${name}`)}`.execute(connection);
      }
    });
  }

  const cases: [string, Listed, ListFilters][] = [
    ["envelopes", "envelopes", envelopeListFilters({})],
    ["envelopes by status", "envelopes", envelopeListFilters({ status: "SENT" })],
    ["envelopes searched", "envelopes", envelopeListFilters({ q: "contract" })],
    ["documents", "documents", {}],
    ["API keys", "api_keys", {}],
    ["webhooks", "webhooks", {}],
    ["an envelope's notifications", "notifications", { filters: { envelope_id: "env_x" } }],
  ];

  it("pages a webhook's delivery attempts through an index, in its order", async () => {
    for (const after of [undefined, cursor]) {
      const text = await plan(attemptsQuery(t.app.database.db, "wh_x", 50, after).compile());
      if (t.app.database.dialect === "sqlite") {
        assert.match(text, /SEARCH webhook_attempts USING (COVERING )?INDEX/, text);
        assert.doesNotMatch(text, /USE TEMP B-TREE/, text);
      } else {
        assert.doesNotMatch(text, /Seq Scan on webhook_attempts|\bSort\b/, text);
      }
    }
  });

  // Indexes that hold only some rows (migration 0016_partial_indexes): each query of those rows
  // is still served by its index, by name.
  const partial: [string, () => CompiledQuery, string][] = [
    [
      "a lane's unfinished job",
      () => unfinishedInLaneQuery(t.app.database.db, "whk_x").compile(),
      "jobs_lane",
    ],
    [
      "finished jobs to prune",
      () => doneBeforeQuery(t.app.database.db, "2026-01-01T00:00:00.000Z", 1000).compile(),
      "jobs_done_updated_at",
    ],
    [
      "failed jobs, newest first",
      () => failedNewestFirstQuery(t.app.database.db, 100).compile(),
      "jobs_failed_updated_at",
    ],
    [
      "reminders due",
      () => dueRemindersQuery(t.app.database.db, "2026-01-01T00:00:00.000Z").compile(),
      "recipients_next_reminder",
    ],
    [
      "envelopes past their expiry",
      () => overdueQuery(t.app.database.db, "2026-01-01T00:00:00.000Z").compile(),
      "envelopes_expiry",
    ],
    [
      "a signature image's references",
      () =>
        t.app.database.db
          .selectFrom("recipients")
          .select("id")
          .where("signature_image_sha256", "=", "ab".repeat(32))
          .compile(),
      "recipients_signature_image_sha256",
    ],
  ];
  for (const [name, query, index] of partial) {
    it(`finds ${name} by the index holding only those (${index})`, async () => {
      const text = await plan(query());
      assert.match(text, new RegExp(`\\b${index}\\b`), text);
      if (t.app.database.dialect === "sqlite") assert.doesNotMatch(text, /USE TEMP B-TREE/, text);
      else assert.doesNotMatch(text, /\bSort\b/, text);
    });
  }

  // A claim reads one index entry per kind, never the due jobs of other kinds or all of its own.
  const claims: JobKind[][] = [["seal_envelope"], ["send_notification", "send_invitation"]];
  for (const kinds of claims) {
    for (const claimable of ["due", "abandoned"] as const) {
      it(`claims the first ${claimable} job of ${kinds.join(" or ")} by one seek per kind`, async () => {
        const { db, dialect } = t.app.database;
        const query = firstClaimableQuery(dialect, kinds, claimable, "2026-01-01T00:00:00.000Z");
        const text = await plan(query.compile(db));
        if (dialect === "sqlite") {
          const searches = text.split("\n").filter((line) => /\bjobs\b/.test(line));
          assert.equal(searches.length, kinds.length, text);
          for (const line of searches) {
            assert.match(
              line,
              /SEARCH jobs USING INDEX jobs_kind_due \(kind=\? AND state=\?/,
              text,
            );
          }
        } else {
          assert.match(text, /Index Scan using jobs_kind_due/, text);
          assert.doesNotMatch(text, /Seq Scan on jobs\b/, text);
        }
      });
    }
  }

  for (const [name, table, filters] of cases) {
    it(`pages ${name} through an index, in its order`, async () => {
      for (const after of [undefined, cursor]) {
        const query = newestFirstQuery(t.app.database.db, table, scope, 100, filters, after);
        const text = await plan(query.compile());
        if (t.app.database.dialect === "sqlite") {
          assert.match(text, new RegExp(`SEARCH ${table} USING (COVERING )?INDEX`), text);
          assert.doesNotMatch(text, new RegExp(`SCAN ${table}\\b`), text);
          assert.doesNotMatch(text, /USE TEMP B-TREE/, text);
        } else {
          assert.match(text, /Index (Only )?Scan/, text);
          assert.doesNotMatch(text, new RegExp(`Seq Scan on ${table}\\b`), text);
          assert.doesNotMatch(text, /\bSort\b/, text);
        }
      }
    });
  }
});
