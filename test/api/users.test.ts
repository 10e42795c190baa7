import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CertyneoError } from "../../src/domain/errors.js";
import { SESSION_IDLE_MS, SESSION_MAX_MS } from "../../src/services/sessions.js";
import { SIGN_IN_LINK_MS } from "../../src/services/users.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

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
});
