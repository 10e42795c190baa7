import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { after, describe, it } from "node:test";
import { createThreadedMailer } from "../../src/workers/mail-pool.js";
import { parseMail } from "../helpers/mime.js";

describe("emails with attachments, sent from a worker thread", async () => {
  const outboxDir = await mkdtemp(path.join(tmpdir(), "certyneo-mail-"));
  after(() => rm(outboxDir, { recursive: true, force: true }));
  const mailer = createThreadedMailer({
    smtpUrl: undefined,
    from: "Certyneo <no-reply@certyneo.test>",
    outboxDir,
  });

  async function messages() {
    const files = (await readdir(outboxDir)).filter((f) => f.endsWith(".eml")).sort();
    return Promise.all(
      files.map(async (f) => parseMail(await readFile(path.join(outboxDir, f), "utf8"))),
    );
  }

  it("sends the bytes of a stream and of a Buffer intact, and leaves the caller's Buffer usable", async () => {
    const streamed = randomBytes(3 * 1024 * 1024 + 17);
    const given = randomBytes(100_003);
    await mailer.send({
      to: "a@example.com",
      subject: "Signed",
      text: "Attached.",
      attachments: [
        {
          filename: "one - signed.pdf",
          content: Readable.from([streamed.subarray(0, 70_000), streamed.subarray(70_000)]),
          contentType: "application/pdf",
        },
        { filename: "two.pdf", content: given, contentType: "application/pdf" },
      ],
    });
    assert.equal(given.length, 100_003, "not moved away from the caller");
    const [mail] = await messages();
    assert.equal(mail!.subject, "Signed");
    assert.deepEqual(
      mail!.attachments.map((a) => [
        a.filename,
        a.content.equals(a.filename === "two.pdf" ? given : streamed),
      ]),
      [
        ["one - signed.pdf", true],
        ["two.pdf", true],
      ],
    );
  });

  it("sends a file by its path, read by the thread, and fails when it is gone", async () => {
    const bytes = randomBytes(2 * 1024 * 1024 + 5);
    const file = path.join(outboxDir, "stored.bin");
    await writeFile(file, bytes);
    await mailer.send({
      to: "c@example.com",
      subject: "By path",
      text: "Attached.",
      attachments: [{ filename: "c.pdf", content: { path: file }, contentType: "application/pdf" }],
    });
    const mail = (await messages()).find((m) => m.subject === "By path");
    assert.ok(mail?.attachments[0]?.content.equals(bytes));
    await assert.rejects(
      mailer.send({
        to: "c@example.com",
        subject: "Gone",
        text: "x",
        attachments: [
          { filename: "d.pdf", content: { path: `${file}.gone` }, contentType: "application/pdf" },
        ],
      }),
      /ENOENT/,
    );
  });

  it("fails as the send fails, with its message, and closes the streams", async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error("disk gone"));
      },
    });
    const unread = Readable.from([Buffer.from("never read")]);
    await assert.rejects(
      mailer.send({
        to: "b@example.com",
        subject: "Broken",
        text: "x",
        attachments: [
          { filename: "a.pdf", content: failing, contentType: "application/pdf" },
          { filename: "b.pdf", content: unread, contentType: "application/pdf" },
        ],
      }),
      /disk gone/,
    );
    assert.ok(unread.destroyed);
  });
});
