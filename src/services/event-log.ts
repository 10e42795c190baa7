import type { Kysely, Selectable } from "kysely";
import type { EnvelopeRecipientRow } from "../db/envelope-with-parts.js";
import { fixedLimit } from "../db/fixed-limit.js";
import { insertRows } from "../db/insert-rows.js";
import { precompiled } from "../db/precompiled.js";
import type { EventsTable, Tables } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import type { Scope } from "../domain/environment.js";
import { chainHash, GENESIS_HASH, type StoredChainedEvent } from "../domain/event-chain.js";
import { newIdIn } from "../security/random.js";

export type Actor =
  | { type: "api_key"; id: string }
  | { type: "user"; id: string }
  | { type: "recipient"; id: string }
  | { type: "system" };

/** Who caused a change, and from where: recorded with every event. */
export interface ActionContext {
  readonly actor: Actor;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

export const SYSTEM_CONTEXT: ActionContext = {
  actor: { type: "system" },
  ip: null,
  userAgent: null,
};

export interface NewEvent {
  readonly type: string;
  readonly recipientId?: string | null;
  readonly data?: Record<string, unknown>;
}

export interface StoredEvent extends StoredChainedEvent {
  readonly accountId: string;
  readonly environment: string;
}

/**
 * The envelope's append-only, hash-chained history. `append` runs inside the transaction of the
 * state change it records, so a change and its events are committed together or not at all; the
 * caller must hold the envelope's row lock so that the chain cannot fork.
 */
export interface AppendedEvent {
  id: string;
  type: string;
  recipientId: string | null;
  createdAt: string;
}

/**
 * The envelope events are appended to. `snapshot`, when the caller has one, answers the envelope
 * as it stands once the events are appended (read once, for the webhooks' payload and the
 * caller's response alike).
 */
export interface EventSubject {
  readonly id: string;
  readonly scope: Scope;
  readonly snapshot?: (() => Promise<object>) | undefined;
  /** Created by the same transaction: it has no event yet, so its chain is not read. */
  readonly justCreated?: boolean;
  /**
   * What the envelope shows of its recipients once the events are appended, in order, when the
   * caller has it: the reactions then need not read them.
   */
  readonly recipients?: readonly EnvelopeRecipientRow[] | undefined;
}

/**
 * What else must happen, in the same transaction, when events are appended (jobs to enqueue):
 * called once with the events of one `append`, in order.
 */
export type EventReaction = (
  trx: Kysely<Tables>,
  envelope: EventSubject,
  events: readonly AppendedEvent[],
) => Promise<void>;

/** The envelope's last event: where its chain goes on. */
const lastEvent = precompiled((db: Kysely<Tables>, envelopeId: string) =>
  db
    .selectFrom("events")
    .select(["sequence", "hash"])
    .where("envelope_id", "=", envelopeId)
    .orderBy("sequence", "desc")
    .limit(fixedLimit(1)),
);

export class EventLog {
  constructor(
    private readonly clock: Clock,
    private readonly reactions: readonly EventReaction[] = [],
  ) {}

  async append(
    trx: Kysely<Tables>,
    envelope: EventSubject,
    context: ActionContext,
    events: readonly NewEvent[],
  ): Promise<void> {
    if (events.length === 0) return;
    const [last] = envelope.justCreated ? [] : await lastEvent(trx, envelope.id);
    let sequence = last?.sequence ?? 0;
    let previousHash = last?.hash ?? GENESIS_HASH;
    const createdAt = this.clock.now().toISOString();
    const rows: EventsTable[] = [];
    const appended: AppendedEvent[] = [];
    for (const event of events) {
      sequence += 1;
      const content = {
        id: newIdIn(trx, "evt"),
        envelopeId: envelope.id,
        sequence,
        type: event.type,
        recipientId: event.recipientId ?? null,
        actorType: context.actor.type,
        actorId: "id" in context.actor ? context.actor.id : null,
        ip: context.ip,
        userAgent: context.userAgent,
        data: event.data ?? {},
        createdAt,
      };
      const hash = chainHash(previousHash, content);
      const row: EventsTable = {
        id: content.id,
        envelope_id: envelope.id,
        account_id: envelope.scope.accountId,
        environment: envelope.scope.environment,
        sequence,
        type: content.type,
        recipient_id: content.recipientId,
        actor_type: content.actorType,
        actor_id: content.actorId,
        ip: content.ip,
        user_agent: content.userAgent,
        data: JSON.stringify(content.data),
        created_at: createdAt,
        previous_hash: previousHash,
        hash,
      };
      rows.push(row);
      appended.push({
        id: content.id,
        type: content.type,
        recipientId: content.recipientId,
        createdAt,
      });
      previousHash = hash;
    }
    await insertRows(trx, "events", rows);
    for (const react of this.reactions) await react(trx, envelope, appended);
  }

  async forEnvelope(db: Kysely<Tables>, scope: Scope, envelopeId: string): Promise<StoredEvent[]> {
    const rows = await db
      .selectFrom("events")
      .selectAll()
      .where("envelope_id", "=", envelopeId)
      .where("account_id", "=", scope.accountId)
      .where("environment", "=", scope.environment)
      .orderBy("sequence", "asc")
      .execute();
    return rows.map((row) => ({
      ...chainedEventOf(row),
      accountId: row.account_id,
      environment: row.environment,
    }));
  }
}

/** A stored event as its hash chain covers it. */
export function chainedEventOf(row: Selectable<EventsTable>): StoredChainedEvent {
  return {
    id: row.id,
    envelopeId: row.envelope_id,
    sequence: Number(row.sequence),
    type: row.type,
    recipientId: row.recipient_id,
    actorType: row.actor_type,
    actorId: row.actor_id,
    ip: row.ip,
    userAgent: row.user_agent,
    data: JSON.parse(row.data) as unknown,
    createdAt: row.created_at,
    previousHash: row.previous_hash,
    hash: row.hash,
  };
}
