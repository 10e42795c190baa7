import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { testDatabaseKind } from "../helpers/database.js";
import { filesUnder } from "../helpers/files.js";
import { signer } from "../helpers/fixtures.js";
import { makePdf } from "../helpers/pdf.js";
import { startReceiver } from "../helpers/receiver.js";
import { postFile, request, startTestServer } from "../helpers/server.js";
import { until } from "../helpers/wait.js";

const SILENT = { info: () => {}, error: () => {} };

/** Emails written to the outboxes of these data directories, addressed to `to`. */
async function emailsTo(dataDirs: string[], to: string): Promise<number> {
  let count = 0;
  for (const dir of dataDirs) {
    for (const file of await filesUnder(path.join(dir, "outbox"))) {
      if (!file.endsWith(".eml")) continue;
      if (new RegExp(`^To: .*${to}`, "mi").test(await readFile(file, "latin1"))) count++;
    }
  }
  return count;
}

/**
 * Two hosts: two instances with data directories of their own, sharing only PostgreSQL (its blob
 * store holds the files), the secret key and the platform's keys, as docs/operations.md says.
 */
describe("two hosts on one PostgreSQL", {
  skip: testDatabaseKind !== "postgres" && "PostgreSQL only",
}, () => {
  it("uploads through one host, signs and downloads through the other; everything happens once", async () => {
    const receiver = await startReceiver();
    const env = {
      CERTYNEO_SECRET_KEY: randomBytes(32).toString("base64"),
      CERTYNEO_WEBHOOK_ALLOW_PRIVATE: "true",
      CERTYNEO_RATE_LIMIT_PER_MINUTE: "1",
      CERTYNEO_RATE_LIMIT_BURST: "5",
    };
    const one = await startTestServer({ env });
    // The platform's keys: made by the first host, then copied to the other, as an operator would.
    assert.equal((await fetch(`${one.url}/pki/root-ca.crt`)).status, 200);
    const otherDir = await mkdtemp(path.join(os.tmpdir(), "certyneo-host-two-"));
    await cp(path.join(one.app.config.dataDir, "pki"), path.join(otherDir, "pki"), {
      recursive: true,
    });
    const two = await startTestServer({
      database: one.database,
      env: { ...env, CERTYNEO_DATA_DIR: otherDir },
    });
    try {
      assert.equal(two.app.config.blobStore, "database");
      one.app.startWorker(SILENT);
      two.app.startWorker(SILENT);
      const { accountId, secret } = await one.newAccount();
      const hook = await request(one.url, "/api/v1/webhooks", {
        method: "POST",
        key: secret,
        json: { url: `${receiver.url}/hook` },
      });
      assert.equal(hook.status, 201);
      const upload = await request(one.url, "/api/v1/documents", {
        method: "POST",
        key: secret,
        json: { name: "contrat.pdf", content: (await makePdf(["a4", "a4"])).toString("base64") },
      });
      assert.equal(upload.status, 201);
      const created = await request(one.url, "/api/v1/envelopes", {
        method: "POST",
        key: secret,
        json: {
          subject: "Across hosts",
          documentIds: [upload.body.id],
          recipients: [signer(1)],
        },
      });
      const sent = await request(one.url, `/api/v1/envelopes/${created.body.id}/send`, {
        method: "POST",
        key: secret,
      });
      assert.equal(sent.status, 200);
      // The key may make five requests, whichever host counts them: four on the first, the fifth
      // on the second, and the sixth is refused by the first.
      const fifth = await request(two.url, `/api/v1/envelopes/${created.body.id}`, { key: secret });
      assert.equal(fifth.status, 200);
      const sixth = await request(one.url, `/api/v1/envelopes/${created.body.id}`, { key: secret });
      assert.equal(sixth.status, 429, "the rate limit is the same on both hosts");

      // The recipient signs through the other host, which reads the document the first stored.
      const token = sent.body.recipients[0].signUrl.split("/sign/")[1];
      const shown = await fetch(`${two.url}/api/v1/signing/${token}/documents/${upload.body.id}`);
      assert.equal(shown.status, 200);
      assert.equal(Buffer.from(await shown.arrayBuffer()).length, upload.body.size);
      const signed = await request(two.url, `/api/v1/signing/${token}/sign`, {
        method: "POST",
        json: { consent: true, signature: { type: "typed", text: "Signer 1" } },
      });
      assert.equal(signed.body.envelopeStatus, "COMPLETED", JSON.stringify(signed.body));
      const db = one.app.database.db;
      await until(
        async () =>
          (
            await db
              .selectFrom("envelopes")
              .select("sealed_at")
              .where("id", "=", created.body.id)
              .executeTakeFirstOrThrow()
          ).sealed_at !== null,
        "the envelope to be sealed by either host",
        30_000,
      );
      const { secret: fresh } = await two.newKey(accountId, "test");
      const pdf = await fetch(`${two.url}/api/v1/envelopes/${created.body.id}/signed-document`, {
        headers: { authorization: `Bearer ${fresh}` },
      });
      assert.equal(pdf.status, 200);
      const sealed = Buffer.from(await pdf.arrayBuffer());
      // Sealed by one of them, checked by the other: both hold the same platform root.
      const report: any = await (await postFile(`${one.url}/api/v1/verify`, sealed)).json();
      assert.equal(report.result, "sealed_unchanged", JSON.stringify(report));

      // Each invitation, each email, each webhook event and the seal happen once.
      await until(
        async () => receiver.received.some((r) => JSON.parse(r.body).type === "envelope.completed"),
        "the completed event",
      );
      await until(
        async () =>
          (await emailsTo([one.app.config.dataDir, otherDir], "signer1@example.com")) >= 2,
        "the invitation and the completed email",
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(
        await emailsTo([one.app.config.dataDir, otherDir], "signer1@example.com"),
        2,
        "one invitation and one completed email, from either host",
      );
      const events = receiver.received.map((r) => JSON.parse(r.body));
      assert.equal(
        new Set(events.map((e) => e.id)).size,
        events.length,
        "no event delivered twice",
      );
      for (const type of [
        "envelope.created",
        "envelope.sent",
        "recipient.signed",
        "envelope.completed",
      ]) {
        assert.equal(events.filter((e) => e.type === type).length, 1, type);
      }
      const seals = await db
        .selectFrom("events")
        .select("id")
        .where("envelope_id", "=", created.body.id)
        .where("type", "=", "envelope.sealed")
        .execute();
      assert.equal(seals.length, 1, "sealed once");
    } finally {
      await two.close();
      await one.close();
      await receiver.close();
      await rm(otherDir, { recursive: true, force: true });
    }
  });
});
