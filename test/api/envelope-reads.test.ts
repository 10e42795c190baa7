import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { SQLITE_FILE_NAME } from "../../src/db/database.js";
import { FIELD_COLUMNS, RECIPIENT_COLUMNS } from "../../src/db/envelope-with-parts.js";
import { testDatabaseKind } from "../helpers/database.js";
import { optionalDateField, signer, uploadDocument } from "../helpers/fixtures.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

// On SQLite an instance keeps the envelopes it has read while nothing is committed
// (`KeptEnvelopes`); on PostgreSQL, with their revision, which every change moves
// (`RevisedEnvelopes`). Either way, a GET answers what is committed when it is asked, whichever
// instance, thread or process committed it.
describe("an envelope read on one instance and changed elsewhere", () => {
  let first: TestServer;
  let second: TestServer;
  let key: string;
  let accountId: string;
  let documentId: string;
  before(async () => {
    first = await startTestServer();
    second = await startTestServer({ database: first.database });
    ({ secret: key, accountId } = await first.newAccount());
    ({ id: documentId } = await uploadDocument(first.url, key));
  });
  after(async () => {
    await second.close();
    await first.close();
  });

  const create = async () => {
    const created = await request(first.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: { subject: "Kept", documentIds: [documentId], recipients: [signer(1), signer(2)] },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body.id as string;
  };
  /** The envelope as `instance` answers it, read twice (so kept, where it keeps). */
  const readTwice = async (instance: TestServer, id: string) => {
    const once = await request(instance.url, `/api/v1/envelopes/${id}`, { key });
    const twice = await request(instance.url, `/api/v1/envelopes/${id}`, { key });
    assert.equal(twice.status, 200);
    assert.deepEqual(twice.body, once.body);
    return twice.body;
  };

  it("shows another instance's update, send and a recipient's decline at the next GET", async () => {
    const id = await create();
    assert.equal((await readTwice(second, id)).subject, "Kept");
    const patched = await request(first.url, `/api/v1/envelopes/${id}`, {
      method: "PATCH",
      key,
      json: { subject: "Changed on the first" },
    });
    assert.equal(patched.status, 200);
    assert.equal((await readTwice(second, id)).subject, "Changed on the first");

    const sent = await request(first.url, `/api/v1/envelopes/${id}/send`, { method: "POST", key });
    assert.equal(sent.status, 200);
    const seen = await readTwice(second, id);
    assert.equal(seen.status, "SENT");
    assert.deepEqual(seen.recipients, sent.body.recipients);

    // A recipient's action is written by the main thread, not the envelope writer.
    const token = sent.body.recipients[0].signingToken;
    const declined = await request(first.url, `/api/v1/signing/${token}/decline`, {
      method: "POST",
      json: { reason: "Not today" },
      headers: { "user-agent": "Mozilla/5.0 (certyneo-test)" },
    });
    assert.equal(declined.status, 200, JSON.stringify(declined.body));
    const after = await request(second.url, `/api/v1/envelopes/${id}`, { key });
    assert.equal(after.body.status, "DECLINED");
    assert.equal(after.body.recipients[0].declineReason, "Not today");
  });

  it("shows its own instance's update at the next GET", async () => {
    const id = await create();
    await readTwice(second, id);
    const patched = await request(second.url, `/api/v1/envelopes/${id}`, {
      method: "PATCH",
      key,
      json: { metadata: { order: "42" } },
    });
    assert.equal(patched.status, 200);
    assert.deepEqual((await readTwice(second, id)).metadata, { order: "42" });
  });

  it("shows a change an operator made in SQL from another process", async () => {
    const id = await create();
    await readTwice(first, id);
    await readTwice(second, id);
    const statement = `update recipients set name = 'Renamed by hand' where envelope_id = '${id}' and position = 0`;
    if (testDatabaseKind === "sqlite") {
      const file = path.join(first.database.env.CERTYNEO_DATA_DIR, SQLITE_FILE_NAME);
      const script = `const S = require("better-sqlite3"); const db = new S(process.argv[1]); db.pragma("busy_timeout = 5000"); db.exec(process.argv[2]); db.close();`;
      execFileSync(process.execPath, ["-e", script, file, statement], { cwd: process.cwd() });
    } else {
      const client = new pg.Client({ connectionString: first.database.env.DATABASE_URL });
      await client.connect();
      await client.query(statement);
      await client.end();
    }
    for (const instance of [first, second]) {
      const read = await request(instance.url, `/api/v1/envelopes/${id}`, { key });
      assert.equal(read.body.recipients[0].name, "Renamed by hand");
    }
  });

  it("answers 404 to another account, and to the other environment, for an envelope it read", async () => {
    const id = await create();
    await readTwice(second, id);
    const other = await second.newAccount();
    const refused = await request(second.url, `/api/v1/envelopes/${id}`, { key: other.secret });
    assert.equal(refused.status, 404);
    assert.equal(refused.body.error.code, "envelope_not_found");
    const live = await second.newKey(accountId, "live");
    const otherEnvironment = await request(second.url, `/api/v1/envelopes/${id}`, {
      key: live.secret,
    });
    assert.equal(otherEnvironment.status, 404);
  });
});

// On PostgreSQL, the GET's statement reads an envelope's parts again only when its revision moved
// (`0018_envelope_revisions`): each change of what the envelope shows, by any statement, must move
// it; what it does not show need not.
describe("an envelope kept at its revision", {
  skip: testDatabaseKind !== "postgres" && "PostgreSQL only",
}, () => {
  let t: TestServer;
  let client: pg.Client;
  before(async () => {
    t = await startTestServer();
    client = new pg.Client({ connectionString: t.database.env.DATABASE_URL });
    await client.connect();
  });
  after(async () => {
    await client.end();
    await t.close();
  });

  /** A draft of a new account: two documents, a signer with two fields, a CC. */
  const draft = async () => {
    const { secret: key, accountId } = await t.newAccount();
    const one = await uploadDocument(t.url, key);
    const two = await uploadDocument(t.url, key, ["a4", "letter"]);
    const created = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      key,
      json: {
        subject: "Revised",
        documentIds: [one.id, two.id],
        recipients: [
          signer(1, {
            fields: [
              {
                type: "signature",
                documentId: two.id,
                page: 2,
                x: 72,
                y: 650,
                width: 170,
                height: 60,
              },
              optionalDateField(one.id),
            ],
          }),
          { email: "legal@example.com", name: "Legal", role: "CC" },
        ],
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const scope = { accountId, environment: "test" } as const;
    return { key, scope, id: created.body.id as string, documents: [one.id, two.id] };
  };
  const get = async (key: string, id: string) => {
    const read = await request(t.url, `/api/v1/envelopes/${id}`, { key });
    assert.equal(read.status, 200, JSON.stringify(read.body));
    return read.body;
  };
  /** The envelope as read afresh: the list reads every part, and keeps nothing. */
  const listed = async (key: string) =>
    (await request(t.url, "/api/v1/envelopes?limit=1", { key })).body.data[0];
  /** Inserts a copy of row `id` of `table`, with the columns `changes` sets (SQL). */
  const copyRow = async (table: string, id: string, changes: string) => {
    await client.query(`create temp table copied as select * from ${table} where id = $1`, [id]);
    await client.query(`update copied set ${changes}`);
    await client.query(`insert into ${table} select * from copied`);
    await client.query("drop table copied");
  };
  const revision = async (id: string) =>
    Number(
      (await client.query("select revision from envelopes where id = $1", [id])).rows[0].revision,
    );

  it("answers an envelope unchanged from what it keeps, and reads it again once it changed", async () => {
    const { key, scope, id } = await draft();
    const first = await get(key, id);
    assert.equal(t.app.envelopes.keptRevision(id), await revision(id));
    // Changed with its trigger off, as no statement of ours can: the revision stays, so the GET
    // answers what it keeps (the list reads the change).
    await client.query("begin");
    await client.query("alter table recipients disable trigger recipients_updated");
    await client.query(
      "update recipients set name = 'Unseen' where envelope_id = $1 and position = 0",
      [id],
    );
    await client.query("alter table recipients enable trigger recipients_updated");
    await client.query("commit");
    assert.equal((await listed(key)).recipients[0].name, "Unseen");
    assert.deepEqual(await get(key, id), first);
    // So does a read without the key's statement (a dashboard session; rate limits in Redis).
    const read = () => t.app.envelopes.get(scope, id);
    assert.equal((await read()).recipients[0]!.name, first.recipients[0].name);
    await client.query(
      "update recipients set name = 'Seen' where envelope_id = $1 and position = 0",
      [id],
    );
    const after = await get(key, id);
    assert.equal(after.recipients[0].name, "Seen");
    assert.equal((await read()).recipients[0]!.name, "Seen");
    assert.deepEqual(after, await listed(key));
  });

  it("watches every column an envelope shows of its recipients and fields", async () => {
    // The migration names them as they were; a column shown later needs a migration of its own.
    const { rows } = await client.query(
      `select c.relname as table, array(select a.attname::text from unnest(t.tgattr::int2[]) as k
         join pg_attribute a on a.attrelid = t.tgrelid and a.attnum = k order by 1) as columns
       from pg_trigger t join pg_class c on c.oid = t.tgrelid
       where t.tgname in ('recipients_updated', 'fields_updated') order by 1`,
    );
    const shown = (columns: readonly string[]) =>
      columns.filter((c) => c !== "id" && c !== "envelope_id").sort();
    assert.deepEqual(rows, [
      { table: "fields", columns: shown(FIELD_COLUMNS) },
      { table: "recipients", columns: shown(RECIPIENT_COLUMNS) },
    ]);
  });

  it("moves the revision at each change of what the envelope shows, whatever the statement", async () => {
    const { key, id, documents } = await draft();
    const [one, two] = documents;
    const recipient = async (position: number) =>
      (
        await client.query("select id from recipients where envelope_id = $1 and position = $2", [
          id,
          position,
        ])
      ).rows[0].id as string;
    const field = async (position: number) =>
      (
        await client.query("select id from fields where envelope_id = $1 and position = $2", [
          id,
          position,
        ])
      ).rows[0].id as string;
    const changes: [string, () => Promise<unknown>][] = [
      [
        "the envelope's subject",
        () => client.query("update envelopes set subject = 'Other' where id = $1", [id]),
      ],
      [
        "a recipient's name",
        async () =>
          client.query("update recipients set name = 'Renamed' where id = $1", [
            await recipient(0),
          ]),
      ],
      [
        "a recipient's reminders",
        async () =>
          client.query(
            "update recipients set reminders_sent = 1, next_reminder_at = '2030-01-01T00:00:00.000Z' where id = $1",
            [await recipient(0)],
          ),
      ],
      [
        "a field's value",
        async () =>
          client.query("update fields set value = 'filled' where id = $1", [await field(1)]),
      ],
      [
        "a field's place",
        async () =>
          client.query("update fields set x = 10, y = 20 where id = $1", [await field(0)]),
      ],
      [
        "a field deleted",
        async () => client.query("delete from fields where id = $1", [await field(1)]),
      ],
      [
        "a field added",
        async () => copyRow("fields", await field(0), "id = 'fld_copied', position = 5, page = 1"),
      ],
      [
        "a recipient deleted",
        async () => client.query("delete from recipients where id = $1", [await recipient(1)]),
      ],
      [
        "a recipient added",
        async () =>
          copyRow(
            "recipients",
            await recipient(0),
            "id = 'rcp_copied', position = 7, email = 'added@example.com', token_hash = null",
          ),
      ],
      [
        "a document taken out",
        () =>
          client.query(
            "delete from envelope_documents where envelope_id = $1 and document_id = $2",
            [id, one],
          ),
      ],
      [
        "a document put back",
        () =>
          client.query(
            "insert into envelope_documents (envelope_id, document_id, position) values ($1, $2, 2)",
            [id, one],
          ),
      ],
      [
        "a document's name",
        () => client.query("update documents set name = 'Renamed.pdf' where id = $1", [two]),
      ],
      [
        "the envelope, then a recipient, in one transaction",
        async () => {
          const id0 = await recipient(0);
          await client.query("begin");
          await client.query("update envelopes set message = 'Both' where id = $1", [id]);
          await client.query("update recipients set name = 'Both' where id = $1", [id0]);
          await client.query("commit");
        },
      ],
      [
        "a recipient, then a field, in one transaction",
        async () => {
          const [id0, field0] = [await recipient(0), await field(0)];
          await client.query("begin");
          await client.query("update recipients set name = 'Then' where id = $1", [id0]);
          await client.query("update fields set label = 'Then' where id = $1", [field0]);
          await client.query("commit");
        },
      ],
    ];
    let before = await get(key, id);
    for (const [what, change] of changes) {
      const was = await revision(id);
      await change();
      assert.ok((await revision(id)) > was, `${what}: the revision moved`);
      const read = await get(key, id);
      assert.notDeepEqual(read, before, `${what}: the GET shows it`);
      assert.deepEqual(read, await listed(key), `${what}: as read afresh`);
      before = read;
    }
    // Its one-time code and link are not shown: their changes leave it kept.
    const was = await revision(id);
    await client.query(
      "update recipients set otp_attempts = 2, otp_expires_at = '2030-01-01T00:00:00.000Z', token_hash = 'h' where id = $1",
      [await recipient(0)],
    );
    assert.equal(await revision(id), was);
  });
});

// A create, an update and a send answer the envelope from the rows they wrote, without reading it
// back: what they answer, and what their events' webhooks carry (`envelope.updated` is not one of
// the webhooks' events), must be what a GET then reads.
describe("an envelope write's answer and its webhooks' envelope", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ env: { CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true" } });
  });
  after(() => t.close());

  it("are the envelope as a GET reads it next, after a create, an update and a send", async () => {
    const { secret: key, accountId } = await t.newAccount();
    await t.app.webhooks.create(
      { accountId, environment: "test" },
      { url: "http://127.0.0.1:9/hooks" },
    );
    const first = await uploadDocument(t.url, key);
    const second = await uploadDocument(t.url, key, ["a4", "letter"]);
    const recipients = [
      signer(1, {
        locale: "fr",
        redirectUrl: "https://example.com/thanks",
        fields: [
          {
            type: "signature",
            documentId: second.id,
            page: 2,
            x: 72.5,
            y: 650,
            width: 170,
            height: 60,
          },
          optionalDateField(first.id),
        ],
      }),
      signer(2, { order: 1, phone: "+33612345678", auth: "sms_otp", channels: ["email", "sms"] }),
      { email: "boss@example.com", name: "Boss", role: "APPROVER", order: 2, auth: "email_otp" },
      { email: "legal@example.com", name: "Legal", role: "CC" },
    ];
    const expiresAt = new Date(t.clock.now().getTime() + 30 * 86_400_000).toISOString();
    const deliveredEnvelopes = async () => {
      const rows = await t.app.database.db
        .selectFrom("webhook_deliveries")
        .select(["event_type", "payload"])
        .orderBy("created_at")
        .execute();
      return rows.map((r) => ({
        type: r.event_type,
        envelope: JSON.parse(r.payload).data.envelope,
      }));
    };
    const answersAsRead = async (answer: { status: number; body: any }, status: number) => {
      assert.equal(answer.status, status, JSON.stringify(answer.body));
      const read = await request(t.url, `/api/v1/envelopes/${answer.body.id}`, { key });
      assert.deepEqual(answer.body, read.body);
      return read.body;
    };

    const created = await answersAsRead(
      await request(t.url, "/api/v1/envelopes", {
        method: "POST",
        key,
        json: {
          subject: "Contrat",
          message: "Bonjour",
          documentIds: [second.id, first.id],
          recipients,
          signingOrder: "sequential",
          expiresAt,
          reminders: { firstAfterDays: 2, everyDays: 3, max: 2 },
          metadata: { crm: "42" },
          redirectUrl: "https://example.com/done",
        },
      }),
      201,
    );
    const path = `/api/v1/envelopes/${created.id}`;
    const updated = await answersAsRead(
      await request(t.url, path, { method: "PATCH", key, json: { subject: "Contrat v2" } }),
      200,
    );
    assert.equal(updated.subject, "Contrat v2");
    t.clock.advance(60_000);
    const sent = await answersAsRead(
      await request(t.url, `${path}/send`, { method: "POST", key }),
      200,
    );
    assert.equal(sent.status, "SENT");
    assert.deepEqual(
      sent.recipients.map((r: any) => [r.status, r.invitedAt !== null, r.nextReminderAt !== null]),
      [
        ["SENT", true, true],
        ["SENT", true, true],
        ["PENDING", false, false],
        ["PENDING", false, false],
      ],
    );
    assert.deepEqual(
      (await deliveredEnvelopes()).map(({ type, envelope }) => [type, envelope]),
      [
        ["envelope.created", created],
        ["envelope.sent", sent],
      ],
    );
  });
});
