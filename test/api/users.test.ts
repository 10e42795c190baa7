import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CertyneoError } from "../../src/domain/errors.js";
import { SESSION_IDLE_MS, SESSION_MAX_MS } from "../../src/services/sessions.js";
import { SIGN_IN_LINK_MS } from "../../src/services/users.js";
import { makePdf } from "../helpers/pdf.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";

/** The people of an account and their sessions (the dashboard's sign-in, issue 14's first part). */
describe("users and sessions", () => {
  let t: TestServer;
  let accountId: string;
  const client = { ip: "127.0.0.1", userAgent: "test" };
  before(async () => {
    t = await startTestServer();
    ({ accountId } = await t.newAccount());
  });
  after(() => t.close());

  it("creates a user with a normalized email, once per email", async () => {
    const user = await t.app.users.create({
      accountId,
      email: "  Marie.Dubois@Example.COM ",
      role: "owner",
      name: "Marie Dubois",
    });
    assert.equal(user.email, "marie.dubois@example.com");
    assert.equal(user.hasPassword, false);
    assert.match(user.id, /^usr_/);
    const again = await t.app.users
      .create({ accountId, email: "marie.dubois@example.com", role: "member" })
      .catch((error: unknown) => error);
    assert.ok(again instanceof CertyneoError);
    assert.equal(again.code, "user_email_taken");
    const short = await t.app.users
      .create({ accountId, email: "short@example.com", role: "member", password: "too short" })
      .catch((error: unknown) => error);
    assert.ok(short instanceof CertyneoError);
    assert.equal(short.code, "password_invalid");
    assert.equal((await t.app.users.list(accountId)).length, 1);
  });

  it("signs in by password, saying nothing of which part was wrong", async () => {
    const password = "correct horse battery staple";
    const user = await t.app.users.create({
      accountId,
      email: "paul@example.com",
      role: "member",
      password,
    });
    const row = await t.app.database.db
      .selectFrom("users")
      .select("password_hash")
      .where("id", "=", user.id)
      .executeTakeFirstOrThrow();
    assert.match(row.password_hash ?? "", /^scrypt\$32768\$8\$1\$/);
    assert.doesNotMatch(row.password_hash ?? "", /horse/);
    assert.equal(
      (await t.app.users.signInWithPassword(" PAUL@example.com", password))?.id,
      user.id,
    );
    assert.equal(await t.app.users.signInWithPassword("paul@example.com", `${password}!`), null);
    assert.equal(await t.app.users.signInWithPassword("nobody@example.com", password), null);
    // No password set: a link is the only way in.
    assert.equal(await t.app.users.signInWithPassword("marie.dubois@example.com", password), null);
    assert.equal(
      await t.app.users.signInWithPassword("paul@example.com", "x".repeat(10_000)),
      null,
    );
  });

  it("signs in once by an emailed link, within 15 minutes", async () => {
    assert.equal(await t.app.users.createSignInLink("nobody@example.com"), null);
    const link = await t.app.users.createSignInLink("Marie.Dubois@example.com");
    assert.ok(link);
    assert.match(link.token, /^[0-9A-Za-z]{43}$/);
    const stored = await t.app.database.db.selectFrom("sign_in_links").selectAll().execute();
    assert.ok(stored.every((row) => row.token_hash !== link.token));
    const [first, second] = await Promise.all([
      t.app.users.useSignInLink(link.token),
      t.app.users.useSignInLink(link.token),
    ]);
    assert.equal([first, second].filter(Boolean).length, 1, "a link works once");
    assert.equal((first ?? second)?.email, "marie.dubois@example.com");
    const late = await t.app.users.createSignInLink("marie.dubois@example.com");
    t.clock.advance(SIGN_IN_LINK_MS);
    assert.equal(await t.app.users.useSignInLink(late!.token), null);
    assert.equal(await t.app.users.useSignInLink("not-a-token"), null);
  });

  it("keeps sessions server-side: idle, expired, revoked or removed, they end", async () => {
    const user = await t.app.users.create({ accountId, email: "s@example.com", role: "admin" });
    const { token, session } = await t.app.sessions.create(user, client);
    const stored = await t.app.database.db
      .selectFrom("sessions")
      .select("token_hash")
      .where("id", "=", session.id)
      .executeTakeFirstOrThrow();
    assert.notEqual(stored.token_hash, token);
    const live = await t.app.sessions.authenticate(token);
    assert.equal(live?.accountId, accountId);
    assert.equal(live?.role, "admin");
    assert.equal(live?.environment, "test");
    await t.app.sessions.switchEnvironment(session.id, "live");
    assert.equal((await t.app.sessions.authenticate(token))?.environment, "live");
    assert.equal(await t.app.sessions.authenticate("unknown"), null);

    // Idle: a request within the idle time keeps it; 12 hours without one ends it.
    t.clock.advance(SESSION_IDLE_MS - 60_000);
    assert.ok(await t.app.sessions.authenticate(token));
    t.clock.advance(SESSION_IDLE_MS);
    assert.equal(await t.app.sessions.authenticate(token), null);

    // However active, a session ends after 7 days.
    const kept = await t.app.sessions.create(user, client);
    for (let elapsed = 0; elapsed < SESSION_MAX_MS; elapsed += SESSION_IDLE_MS / 2) {
      assert.ok(await t.app.sessions.authenticate(kept.token), `alive after ${elapsed} ms`);
      t.clock.advance(SESSION_IDLE_MS / 2);
    }
    assert.equal(await t.app.sessions.authenticate(kept.token), null);

    const revoked = await t.app.sessions.create(user, client);
    await t.app.sessions.revoke(revoked.session.id);
    assert.equal(await t.app.sessions.authenticate(revoked.token), null);

    const other = await t.app.sessions.create(user, client);
    const link = await t.app.users.createSignInLink("s@example.com");
    await t.app.users.remove(user.id);
    assert.equal(await t.app.sessions.authenticate(other.token), null);
    assert.equal(await t.app.users.useSignInLink(link!.token), null);
    assert.equal(await t.app.users.find(user.id), undefined);
  });

  it("authenticates the public API by session cookie, a change needing the CSRF token", async () => {
    const user = await t.app.users.create({ accountId, email: "api@example.com", role: "admin" });
    const { token, session } = await t.app.sessions.create(user, client);
    const cookie = `theme=dark; certyneo_session=${token}`;
    const csrf = t.app.sessions.csrfTokenFor(session.id);

    const listed = await request(t.url, "/api/v1/keys", { headers: { cookie } });
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    assert.ok(listed.headers.get("x-ratelimit-remaining"));

    // A cookie alone, as another site's form would send it, changes nothing.
    for (const headers of [{ cookie }, { cookie, "x-csrf-token": "wrong" }] as Record<
      string,
      string
    >[]) {
      const refused = await request(t.url, "/api/v1/keys", {
        method: "POST",
        headers,
        json: { name: "by session" },
      });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, "csrf_token_invalid");
      assert.equal(refused.body.error.type, "permission_error");
    }
    const created = await request(t.url, "/api/v1/keys", {
      method: "POST",
      headers: { cookie, "x-csrf-token": csrf },
      json: { name: "by session" },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.environment, "test");

    // Recorded as the user's doing.
    const document = await request(t.url, "/api/v1/documents", {
      method: "POST",
      headers: { cookie, "x-csrf-token": csrf },
      json: { content: (await makePdf(["a4"])).toString("base64") },
    });
    const envelope = await request(t.url, "/api/v1/envelopes", {
      method: "POST",
      headers: { cookie, "x-csrf-token": csrf },
      json: {
        subject: "By a user",
        documentIds: [document.body.id],
        recipients: [{ email: "a@example.com", name: "A", role: "SIGNER" }],
      },
    });
    assert.equal(envelope.status, 201, JSON.stringify(envelope.body));
    const event = await t.app.database.db
      .selectFrom("events")
      .select(["actor_type", "actor_id"])
      .where("envelope_id", "=", envelope.body.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(event, { actor_type: "user", actor_id: user.id });

    // The session's environment is the one it sees.
    await t.app.sessions.switchEnvironment(session.id, "live");
    const live = await request(t.url, `/api/v1/envelopes/${envelope.body.id}`, {
      headers: { cookie },
    });
    assert.equal(live.status, 404);

    // An API key, when given, is what authenticates, whatever the cookie.
    const { secret } = await t.newKey(accountId, "test");
    const byKey = await request(t.url, `/api/v1/envelopes/${envelope.body.id}`, {
      key: secret,
      headers: { cookie },
    });
    assert.equal(byKey.status, 200);

    await t.app.sessions.revoke(session.id);
    const ended = await request(t.url, "/api/v1/keys", { headers: { cookie } });
    assert.equal(ended.status, 401);
    assert.equal(ended.body.error.code, "session_invalid");
  });

  it("signs in over HTTP with a password: cookie, CSRF token, sign-out", async () => {
    const password = "a long enough password";
    await t.app.users.create({ accountId, email: "web@example.com", role: "owner", password });
    const wrong = await request(t.url, "/api/v1/session", {
      method: "POST",
      json: { email: "web@example.com", password: "not it at all" },
    });
    const unknown = await request(t.url, "/api/v1/session", {
      method: "POST",
      json: { email: "nobody@example.com", password },
    });
    for (const answer of [wrong, unknown]) {
      assert.equal(answer.status, 401);
      assert.equal(answer.body.error.code, "sign_in_failed");
      assert.equal(answer.headers.get("set-cookie"), null);
    }
    assert.equal(wrong.body.error.message, unknown.body.error.message);

    const signedIn = await request(t.url, "/api/v1/session", {
      method: "POST",
      json: { email: "Web@Example.com", password },
    });
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    const setCookie = signedIn.headers.get("set-cookie") ?? "";
    assert.match(
      setCookie,
      /^certyneo_session=[0-9A-Za-z]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=604800$/,
    );
    assert.equal(signedIn.body.user.role, "owner");
    const cookie = setCookie.split(";")[0]!;
    const { csrfToken } = signedIn.body;

    const session = await request(t.url, "/api/v1/session", { headers: { cookie } });
    assert.equal(session.status, 200);
    assert.equal(session.body.csrfToken, csrfToken);
    assert.equal((await request(t.url, "/api/v1/envelopes", { headers: { cookie } })).status, 200);

    const noToken = await request(t.url, "/api/v1/session", {
      method: "DELETE",
      headers: { cookie },
    });
    assert.equal(noToken.status, 403);
    const out = await request(t.url, "/api/v1/session", {
      method: "DELETE",
      headers: { cookie, "x-csrf-token": csrfToken },
    });
    assert.equal(out.status, 204);
    assert.match(out.headers.get("set-cookie") ?? "", /^certyneo_session=; .*Max-Age=0/);
    const after = await request(t.url, "/api/v1/envelopes", { headers: { cookie } });
    assert.equal(after.status, 401);
    assert.equal(after.body.error.code, "session_invalid");
  });

  it("limits sign-in attempts per email and per address", async () => {
    // A server of its own: the other tests' attempts came from the same address.
    const fresh = await startTestServer();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const answer = await request(fresh.url, "/api/v1/session", {
          method: "POST",
          json: { email: "guess@example.com", password: `guess ${i}` },
        });
        statuses.push(answer.status);
        if (answer.status === 429) assert.ok(Number(answer.headers.get("retry-after")) >= 1);
      }
      assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
      assert.deepEqual(statuses.slice(10), [429, 429]);
    } finally {
      await fresh.close();
    }
  });
});
