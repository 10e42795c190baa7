import type { Kysely } from "kysely";
import type { Dialect } from "../db/dialect.js";
import { fixedLimit } from "../db/fixed-limit.js";
import { lockEnvelopes } from "../db/locks.js";
import type { Tables } from "../db/schema.js";
import { notFound } from "../domain/errors.js";
import type { BlobStore } from "../storage/blob-store.js";
import { deleteBlobIfUnreferenced } from "./blob-references.js";

/** Envelopes deleted per transaction: a large sandbox never holds one lock for long. */
const BATCH = 200;

export interface SandboxReset {
  envelopes: number;
  documents: number;
  webhooks: number;
  events: number;
}

/**
 * Deletes every test-environment object of an account — envelopes with their recipients,
 * fields, events, notifications, sealed PDFs and jobs; documents; webhooks with their
 * deliveries; idempotent responses — and nothing else: the live environment, API keys, people,
 * settings and branding stay. Stored files nothing references any more are removed.
 */
export class SandboxService {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly dialect: Dialect,
    private readonly blobs: BlobStore,
  ) {}

  async reset(accountId: string): Promise<SandboxReset> {
    const account = await this.db
      .selectFrom("accounts")
      .select("id")
      .where("id", "=", accountId)
      .executeTakeFirst();
    if (!account) throw notFound("account", accountId);
    const files = new Set<string>();
    const counts: SandboxReset = { envelopes: 0, documents: 0, webhooks: 0, events: 0 };

    for (;;) {
      const ids = (
        await this.db
          .selectFrom("envelopes")
          .select("id")
          .where("account_id", "=", accountId)
          .where("environment", "=", "test")
          .limit(fixedLimit(BATCH))
          .execute()
      ).map((r) => r.id);
      if (ids.length === 0) break;
      await this.db.transaction().execute(async (trx) => {
        // Locked before their parts go (see `0018_envelope_revisions`).
        await lockEnvelopes(trx, this.dialect, ids);
        for (const r of await trx
          .selectFrom("sealed_documents")
          .select("sha256")
          .where("envelope_id", "in", ids)
          .execute())
          files.add(r.sha256);
        for (const r of await trx
          .selectFrom("recipients")
          .select("signature_image_sha256")
          .where("envelope_id", "in", ids)
          .where("signature_image_sha256", "is not", null)
          .execute())
          files.add(r.signature_image_sha256!);
        // A job running now finds nothing to do when it looks again: only waiting ones go.
        await trx
          .deleteFrom("jobs")
          .where("envelope_id", "in", ids)
          .where("state", "!=", "running")
          .execute();
        await trx.deleteFrom("notifications").where("envelope_id", "in", ids).execute();
        const events = await trx.deleteFrom("events").where("envelope_id", "in", ids).execute();
        counts.events += Number(events[0]?.numDeletedRows ?? 0);
        await trx.deleteFrom("sealed_documents").where("envelope_id", "in", ids).execute();
        await trx.deleteFrom("fields").where("envelope_id", "in", ids).execute();
        await trx.deleteFrom("recipients").where("envelope_id", "in", ids).execute();
        await trx.deleteFrom("envelope_documents").where("envelope_id", "in", ids).execute();
        await trx.deleteFrom("envelopes").where("id", "in", ids).execute();
      });
      counts.envelopes += ids.length;
    }

    await this.db.transaction().execute(async (trx) => {
      // What outlived its envelope (the events of a deleted draft), and the rest of the sandbox.
      const events = await trx
        .deleteFrom("events")
        .where("account_id", "=", accountId)
        .where("environment", "=", "test")
        .execute();
      counts.events += Number(events[0]?.numDeletedRows ?? 0);
      await trx
        .deleteFrom("notifications")
        .where("account_id", "=", accountId)
        .where("environment", "=", "test")
        .execute();
      await trx
        .deleteFrom("jobs")
        .where("account_id", "=", accountId)
        .where("environment", "=", "test")
        .where("state", "!=", "running")
        .execute();
      await trx
        .deleteFrom("idempotency_keys")
        .where("account_id", "=", accountId)
        .where("environment", "=", "test")
        .execute();
      const webhooks = (
        await trx
          .selectFrom("webhooks")
          .select("id")
          .where("account_id", "=", accountId)
          .where("environment", "=", "test")
          .execute()
      ).map((r) => r.id);
      if (webhooks.length > 0) {
        await trx.deleteFrom("webhook_attempts").where("webhook_id", "in", webhooks).execute();
        await trx.deleteFrom("webhook_deliveries").where("webhook_id", "in", webhooks).execute();
        await trx.deleteFrom("webhooks").where("id", "in", webhooks).execute();
      }
      counts.webhooks = webhooks.length;
      const documents = await trx
        .selectFrom("documents")
        .select(["id", "sha256"])
        .where("account_id", "=", accountId)
        .where("environment", "=", "test")
        .execute();
      for (const d of documents) files.add(d.sha256);
      await trx
        .deleteFrom("documents")
        .where("account_id", "=", accountId)
        .where("environment", "=", "test")
        .execute();
      counts.documents = documents.length;
    });

    for (const sha256 of files)
      await deleteBlobIfUnreferenced(this.db, this.dialect, this.blobs, sha256);
    return counts;
  }
}
