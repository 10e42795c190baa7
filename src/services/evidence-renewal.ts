import type { Kysely } from "kysely";
import type { Dialect } from "../db/dialect.js";
import { fixedLimit } from "../db/fixed-limit.js";
import { lockEnvelope } from "../db/locks.js";
import type { Tables } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import type { Environment } from "../domain/environment.js";
import type { BlobStore } from "../storage/blob-store.js";
import { stageBlob } from "../storage/staging.js";
import type { PdfPool } from "../workers/pdf-pool.js";
import { deleteBlobIfUnreferenced, keepBlob } from "./blob-references.js";
import { type EventLog, SYSTEM_CONTEXT } from "./event-log.js";

const DAY_MS = 24 * 60 * 60 * 1000;
/** A sealed PDF is timestamped again when its last timestamp expires within this. */
const RENEW_WITHIN_DAYS = 90;
/** Sealed PDFs looked at per run: a run stays short, the next one goes on. */
const BATCH = 50;
/** The worker runs it at most this often. */
export const RENEWAL_INTERVAL_MS = 60 * 60 * 1000;

export interface RenewalOutcome {
  /** Sealed PDFs timestamped again. */
  renewed: number;
  /** Those whose renewal failed, and why (tried again at the next run). */
  failures: { envelopeId: string; parts: string[]; message: string }[];
}

/**
 * Keeps sealed PDFs provable for as long as they are kept: before the certificate of a PDF's last
 * timestamp expires, a DSS with the validation data gathered so far and a new document timestamp
 * are appended (an incremental update: every earlier signature and timestamp stays valid), the
 * new bytes replace the old as the envelope's sealed PDF, and the event `envelope.evidence_renewed`
 * records both hashes. PDFs sealed before archive timestamps existed are brought to PAdES B-LTA the
 * same way.
 */
export class EvidenceRenewalService {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly dialect: Dialect,
    private readonly clock: Clock,
    private readonly blobs: BlobStore,
    private readonly events: EventLog,
    private readonly pdf: PdfPool,
    private readonly timestampUrl: string | undefined,
  ) {}

  /** `renewDue` for the worker's schedule: a failure is thrown, for the worker to log. */
  async scheduled(): Promise<void> {
    const { failures } = await this.renewDue();
    if (failures.length > 0) {
      throw new Error(
        `${failures.length} sealed PDFs could not be timestamped again: ${failures
          .map((f) => `${f.envelopeId} (${f.parts.join(", ")}): ${f.message}`)
          .join("; ")}`,
      );
    }
  }

  /** Timestamps again the sealed PDFs whose last timestamp expires within `withinDays` (or is unknown). */
  async renewDue(withinDays = RENEW_WITHIN_DAYS): Promise<RenewalOutcome> {
    const before = new Date(this.clock.now().getTime() + withinDays * DAY_MS).toISOString();
    const rows = await this.db
      .selectFrom("sealed_documents")
      .innerJoin("envelopes", "envelopes.id", "sealed_documents.envelope_id")
      .select([
        "sealed_documents.envelope_id",
        "sealed_documents.part",
        "sealed_documents.sha256",
        "envelopes.account_id",
        "envelopes.environment",
      ])
      .where((eb) =>
        eb.or([
          eb("sealed_documents.timestamp_expires_at", "is", null),
          eb("sealed_documents.timestamp_expires_at", "<", before),
        ]),
      )
      .limit(fixedLimit(BATCH))
      .execute();
    // Parts of one envelope that are the same bytes (the combined PDF of a single document) are
    // renewed once, and stay the same bytes.
    const groups = new Map<string, typeof rows>();
    for (const row of rows) {
      const key = `${row.envelope_id} ${row.sha256}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    const outcome: RenewalOutcome = { renewed: 0, failures: [] };
    for (const parts of groups.values()) {
      try {
        await this.renew(parts);
        outcome.renewed += parts.length;
      } catch (error) {
        outcome.failures.push({
          envelopeId: parts[0]!.envelope_id,
          parts: parts.map((p) => p.part),
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return outcome;
  }

  private async renew(
    parts: readonly {
      envelope_id: string;
      part: string;
      sha256: string;
      account_id: string;
      environment: Environment;
    }[],
  ): Promise<void> {
    const { envelope_id: envelopeId, sha256: previous } = parts[0]!;
    const scope = { accountId: parts[0]!.account_id, environment: parts[0]!.environment };
    const renewed = await this.pdf.renewArchive(await this.blobs.read(previous), this.timestampUrl);
    const staged = await stageBlob(
      this.blobs,
      Buffer.from(renewed.bytes.buffer, renewed.bytes.byteOffset, renewed.bytes.byteLength),
      Number.MAX_SAFE_INTEGER,
    );
    let committed = false;
    try {
      await this.db.transaction().execute(async (trx) => {
        await lockEnvelope(trx, this.dialect, envelopeId);
        const names = parts.map((p) => p.part);
        const current = await trx
          .selectFrom("sealed_documents")
          .select("part")
          .where("envelope_id", "=", envelopeId)
          .where("part", "in", names)
          .where("sha256", "=", previous)
          .execute();
        // Renewed meanwhile by another run (another instance): nothing more to do.
        if (current.length !== names.length) return;
        await keepBlob(trx, this.dialect, staged);
        await trx
          .updateTable("sealed_documents")
          .set({
            sha256: staged.sha256,
            size: staged.size,
            timestamp_expires_at: renewed.timestampExpiresAt,
          })
          .where("envelope_id", "=", envelopeId)
          .where("part", "in", names)
          .execute();
        await this.events.append(trx, { id: envelopeId, scope }, SYSTEM_CONTEXT, [
          {
            type: "envelope.evidence_renewed",
            data: {
              parts: names,
              previousSha256: previous,
              sha256: staged.sha256,
              timestampExpiresAt: renewed.timestampExpiresAt,
            },
          },
        ]);
        committed = true;
      });
    } finally {
      await staged.discard();
    }
    if (committed) await deleteBlobIfUnreferenced(this.db, this.dialect, this.blobs, previous);
  }
}
