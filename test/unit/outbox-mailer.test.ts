import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { after, describe, it } from "node:test";
import { createMailer } from "../../src/notify/mailer.js";

describe("emails kept in the outbox (no SMTP server)", async () => {
  const outboxDir = await mkdtemp(path.join(tmpdir(), "certyneo-outbox-"));
  after(() => rm(outboxDir, { recursive: true, force: true }));
  const mailer = createMailer({ smtpUrl: undefined, from: "no-reply@certyneo.test", outboxDir });

  // A part that failed before the outbox writer listened left the send waiting for ever (about
  // one send in four, here): the bound turns that into a failure rather than a hung suite.
  it("fail the send whose attachment fails, every time, and keep no part of it", {
    timeout: 60_000,
  }, async () => {
    for (let i = 0; i < 40; i++) {
      const failing = new Readable({
        read() {
          this.destroy(new Error("disk gone"));
        },
      });
      await assert.rejects(
        mailer.send({
          to: "a@example.com",
          subject: "Broken",
          text: "x",
          attachments: [{ filename: "a.pdf", content: failing, contentType: "application/pdf" }],
        }),
        /disk gone/,
      );
      await assert.rejects(
        mailer.send({
          to: "a@example.com",
          subject: "Gone",
          text: "x",
          attachments: [
            {
              filename: "b.pdf",
              content: { path: path.join(outboxDir, "gone.pdf") },
              contentType: "application/pdf",
            },
          ],
        }),
        { code: "ENOENT" },
      );
    }
    assert.deepEqual(await readdir(outboxDir), []);
  });
});
