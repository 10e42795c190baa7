import { createHmac, timingSafeEqual } from "node:crypto";
import type { Kysely } from "kysely";
import type { Tables } from "../db/schema.js";
import type { Clock } from "../domain/clock.js";
import type { Environment } from "../domain/environment.js";
import { hashBearerToken, newBearerToken } from "../security/bearer-tokens.js";
import { newId } from "../security/random.js";
import type { User, UserRole } from "./users.js";

/** Signed out after this long without a request… */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** …and after this long whatever happens. */
export const SESSION_MAX_MS = 7 * 24 * 60 * 60 * 1000;
/** `last_seen_at` is written at most this often: a request does not cost a write. */
const SEEN_EVERY_MS = 60 * 1000;

export interface Session {
  id: string;
  userId: string;
  accountId: string;
  role: UserRole;
  email: string;
  environment: Environment;
  expiresAt: string;
}

/**
 * Dashboard sessions, kept server-side by the hash of their token: revoking one, or removing
 * its user, ends it on every instance at the next request.
 */
export class SessionService {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly clock: Clock,
    private readonly secret: Buffer,
  ) {}

  /**
   * The token a session's changes must carry in `X-CSRF-Token`: derived from the server secret
   * and the session, so it is never stored, and another site's page cannot know it.
   */
  csrfTokenFor(sessionId: string): string {
    return createHmac("sha256", this.secret).update(`csrf:v1:${sessionId}`).digest("base64url");
  }

  /** Whether `given` is the session's CSRF token, compared in constant time. */
  csrfTokenValid(sessionId: string, given: string | undefined): boolean {
    if (!given) return false;
    const expected = Buffer.from(this.csrfTokenFor(sessionId));
    const actual = Buffer.from(given);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  /** A new session for `user`; its token is given once, for the cookie. */
  async create(
    user: User,
    client: { ip: string | null; userAgent: string | null },
    environment: Environment = "test",
  ): Promise<{ token: string; session: Session }> {
    const token = newBearerToken();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + SESSION_MAX_MS).toISOString();
    const id = newId("ses");
    await this.db
      .insertInto("sessions")
      .values({
        id,
        token_hash: hashBearerToken(token),
        user_id: user.id,
        environment,
        ip: client.ip,
        user_agent: client.userAgent?.slice(0, 500) ?? null,
        created_at: now.toISOString(),
        last_seen_at: now.toISOString(),
        expires_at: expiresAt,
        revoked_at: null,
      })
      .execute();
    return {
      token,
      session: {
        id,
        userId: user.id,
        accountId: user.accountId,
        role: user.role,
        email: user.email,
        environment,
        expiresAt,
      },
    };
  }

  /** The live session of `token`: not revoked, not expired, not idle too long, its user there. */
  async authenticate(token: string): Promise<Session | null> {
    const now = this.clock.now();
    const row = await this.db
      .selectFrom("sessions")
      .innerJoin("users", "users.id", "sessions.user_id")
      .select([
        "sessions.id",
        "sessions.user_id",
        "sessions.environment",
        "sessions.expires_at",
        "sessions.last_seen_at",
        "sessions.revoked_at",
        "users.account_id",
        "users.role",
        "users.email",
      ])
      .where("sessions.token_hash", "=", hashBearerToken(token))
      .executeTakeFirst();
    if (!row || row.revoked_at) return null;
    const idleSince = Date.parse(row.last_seen_at);
    if (Date.parse(row.expires_at) <= now.getTime() || now.getTime() - idleSince >= SESSION_IDLE_MS)
      return null;
    if (now.getTime() - idleSince >= SEEN_EVERY_MS) {
      await this.db
        .updateTable("sessions")
        .set({ last_seen_at: now.toISOString() })
        .where("id", "=", row.id)
        .execute();
    }
    return {
      id: row.id,
      userId: row.user_id,
      accountId: row.account_id,
      role: row.role as UserRole,
      email: row.email,
      environment: row.environment as Environment,
      expiresAt: row.expires_at,
    };
  }

  /** The environment the dashboard shows, test or live, for this session. */
  async switchEnvironment(sessionId: string, environment: Environment): Promise<void> {
    await this.db
      .updateTable("sessions")
      .set({ environment })
      .where("id", "=", sessionId)
      .execute();
  }

  /** Signs a session out, at once. */
  async revoke(sessionId: string): Promise<void> {
    await this.db
      .updateTable("sessions")
      .set({ revoked_at: this.clock.now().toISOString() })
      .where("id", "=", sessionId)
      .where("revoked_at", "is", null)
      .execute();
  }
}
