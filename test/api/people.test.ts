import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseMail } from "../helpers/mime.js";
import { outboxEmails } from "../helpers/outbox.js";
import { request, startTestServer, type TestServer } from "../helpers/server.js";
import { until } from "../helpers/wait.js";

/** A signed-in browser: its cookie, and the CSRF token its changes carry. */
interface Browser {
  cookie: string;
  csrf: string;
}

/** The people of an account: sign-in links, invitations, roles (issue 14). */
describe("people of an account", () => {
  let t: TestServer;
  let accountId: string;
  let apiKey: string;
  let owner: Browser;

  const emailsTo = async (to: string) =>
    (await outboxEmails(t.app.config.dataDir)).filter((m) => m.to.includes(to));
  const linkIn = (raw: string) =>
    /\/app\/sign-in#token=([0-9A-Za-z]{43})/.exec(parseMail(raw).text)?.[1];

  async function signInWith(token: string): Promise<Browser> {
    const answer = await request(t.url, "/api/v1/session", { method: "POST", json: { token } });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return {
      cookie: (answer.headers.get("set-cookie") ?? "").split(";")[0]!,
      csrf: answer.body.csrfToken,
    };
  }
  const as = (browser: Browser, method = "GET", json?: unknown) => ({
    method,
    headers: { cookie: browser.cookie, "x-csrf-token": browser.csrf },
    ...(json !== undefined && { json }),
  });
  async function invitedBrowser(email: string, role: string): Promise<Browser> {
    const invited = await request(t.url, "/api/v1/users", as(owner, "POST", { email, role }));
    assert.equal(invited.status, 201, JSON.stringify(invited.body));
    await until(async () => (await emailsTo(email)).length > 0, `the invitation to ${email}`);
    const token = linkIn((await emailsTo(email)).at(-1)!.raw);
    assert.ok(token);
    return signInWith(token);
  }

  before(async () => {
    t = await startTestServer();
    ({ accountId, secret: apiKey } = await t.newAccount());
    const user = await t.app.users.create({ accountId, email: "owner@example.com", role: "owner" });
    owner = await signInWith(await t.app.users.linkFor(user.id, 60_000));
  });
  after(() => t.close());

  it("emails a one-time link, answering the same whether the email is known or not", async () => {
    const known = await request(t.url, "/api/v1/session/link", {
      method: "POST",
      json: { email: "Owner@Example.com" },
      headers: { "accept-language": "fr-FR,fr;q=0.9" },
    });
    const unknown = await request(t.url, "/api/v1/session/link", {
      method: "POST",
      json: { email: "nobody@example.com" },
    });
    assert.equal(known.status, 202);
    assert.deepEqual(known.body, unknown.body);
    await until(async () => (await emailsTo("owner@example.com")).length === 1, "the link");
    const [email] = await emailsTo("owner@example.com");
    assert.match(parseMail(email!.raw).text, /Utilisez le bouton ci-dessous/);
    const token = linkIn(email!.raw);
    assert.ok(token, parseMail(email!.raw).text);
    assert.equal((await emailsTo("nobody@example.com")).length, 0);

    const browser = await signInWith(token);
    const session = await request(t.url, "/api/v1/session", {
      headers: { cookie: browser.cookie },
    });
    assert.equal(session.body.user.email, "owner@example.com");
    const again = await request(t.url, "/api/v1/session", { method: "POST", json: { token } });
    assert.equal(again.status, 401);
    assert.equal(again.body.error.code, "sign_in_failed");
    assert.match(again.body.error.message, /ask for a new one/);
    const malformed = await request(t.url, "/api/v1/session/link", {
      method: "POST",
      json: { email: "not an email" },
    });
    assert.equal(malformed.status, 400);
  });

  it("lets owners and admins invite, and refuses a member's admin action", async () => {
    const admin = await invitedBrowser("admin@example.com", "admin");
    const member = await invitedBrowser("member@example.com", "member");
    const invitation = parseMail((await emailsTo("member@example.com"))[0]!.raw).text;
    assert.match(invitation, /invites you to join Test account on Certyneo as member/);

    const list = await request(t.url, "/api/v1/users", as(member));
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.data.map((u: { email: string }) => u.email).sort(), [
      "admin@example.com",
      "member@example.com",
      "owner@example.com",
    ]);
    // A member sends envelopes; keys, webhooks, settings and people are for admins.
    for (const [path, method, json] of [
      ["/api/v1/keys", "POST", { name: "mine" }],
      ["/api/v1/users", "POST", { email: "x@example.com" }],
      ["/api/v1/webhooks", "POST", { url: "https://example.com/hook" }],
      ["/api/v1/settings", "PATCH", { reminders: { enabled: false } }],
    ] as const) {
      const refused = await request(t.url, path, as(member, method, json));
      assert.equal(refused.status, 403, `${method} ${path}`);
      assert.equal(refused.body.error.code, "role_insufficient");
    }
    assert.equal((await request(t.url, "/api/v1/keys", as(member))).status, 200);
    assert.equal(
      (await request(t.url, "/api/v1/keys", as(admin, "POST", { name: "admin's" }))).status,
      201,
    );
    // Admins never make or touch an owner.
    const ownerId = list.body.data.find((u: { role: string }) => u.role === "owner").id;
    const adminId = list.body.data.find((u: { role: string }) => u.role === "admin").id;
    const memberId = list.body.data.find((u: { role: string }) => u.role === "member").id;
    for (const [path, method, json] of [
      ["/api/v1/users", "POST", { email: "boss@example.com", role: "owner" }],
      [`/api/v1/users/${ownerId}`, "DELETE", undefined],
      [`/api/v1/users/${memberId}`, "PATCH", { role: "owner" }],
      [`/api/v1/users/${ownerId}`, "PATCH", { password: "another long password" }],
    ] as const) {
      const refused = await request(t.url, path, as(admin, method, json));
      assert.equal(refused.status, 403, `${method} ${path}: ${JSON.stringify(refused.body)}`);
      assert.equal(refused.body.error.code, "role_insufficient");
    }

    // A removed person's session ends at the next request.
    assert.equal(
      (await request(t.url, `/api/v1/users/${memberId}`, as(admin, "DELETE"))).status,
      204,
    );
    const ended = await request(t.url, "/api/v1/envelopes", as(member));
    assert.equal(ended.status, 401);
    assert.equal(ended.body.error.code, "session_invalid");
    // The last owner stays one.
    for (const [method, json] of [
      ["DELETE", undefined],
      ["PATCH", { role: "admin" }],
    ] as const) {
      const kept = await request(t.url, `/api/v1/users/${ownerId}`, as(owner, method, json));
      assert.equal(kept.status, 409);
      assert.equal(kept.body.error.code, "last_owner");
    }
    const promoted = await request(
      t.url,
      `/api/v1/users/${adminId}`,
      as(owner, "PATCH", { role: "owner" }),
    );
    assert.equal(promoted.body.role, "owner");
  });

  it("lets each person set their own email and password", async () => {
    const me = (await request(t.url, "/api/v1/session", as(owner))).body.user.id;
    const changed = await request(
      t.url,
      `/api/v1/users/${me}`,
      as(owner, "PATCH", {
        email: "Boss@Example.com",
        password: "a password long enough",
        name: "Boss",
      }),
    );
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.deepEqual(
      [changed.body.email, changed.body.name, changed.body.hasPassword],
      ["boss@example.com", "Boss", true],
    );
    const taken = await request(
      t.url,
      `/api/v1/users/${me}`,
      as(owner, "PATCH", { email: "admin@example.com" }),
    );
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error.code, "user_email_taken");
    const signedIn = await request(t.url, "/api/v1/session", {
      method: "POST",
      json: { email: "boss@example.com", password: "a password long enough" },
    });
    assert.equal(signedIn.status, 200);
  });

  it("switches a session between the test and live environments", async () => {
    const created = await request(t.url, "/api/v1/keys", as(owner, "POST", { name: "test one" }));
    assert.equal(created.body.environment, "test");
    const live = await request(
      t.url,
      "/api/v1/session",
      as(owner, "PATCH", { environment: "live" }),
    );
    assert.equal(live.status, 200);
    assert.equal(live.body.environment, "live");
    const keys = await request(t.url, "/api/v1/keys", as(owner));
    assert.ok(keys.body.data.every((k: { environment: string }) => k.environment === "live"));
    const liveKey = await request(t.url, "/api/v1/keys", as(owner, "POST", { name: "live one" }));
    assert.match(liveKey.body.secret, /^sk_live_/);
    const noCsrf = await request(t.url, "/api/v1/session", {
      method: "PATCH",
      headers: { cookie: owner.cookie },
      json: { environment: "test" },
    });
    assert.equal(noCsrf.status, 403);
    await request(t.url, "/api/v1/session", as(owner, "PATCH", { environment: "test" }));
  });

  it("keeps each account's people to itself, for sessions and API keys", async () => {
    const other = await t.newAccount();
    const stranger = await t.app.users.create({
      accountId: other.accountId,
      email: "stranger@example.com",
      role: "owner",
    });
    for (const method of ["GET", "PATCH", "DELETE"] as const) {
      const hidden = await request(
        t.url,
        `/api/v1/users/${stranger.id}`,
        as(owner, method, method === "PATCH" ? { name: "x" } : undefined),
      );
      assert.equal(hidden.status, 404, method);
      assert.equal(hidden.body.error.code, "user_not_found");
    }
    const byKey = await request(t.url, "/api/v1/users", { key: apiKey });
    assert.ok(!byKey.body.data.some((u: { id: string }) => u.id === stranger.id));
    // An API key manages people as an admin does.
    const invited = await request(t.url, "/api/v1/users", {
      method: "POST",
      key: apiKey,
      json: { email: "from-api@example.com", role: "member" },
    });
    assert.equal(invited.status, 201);
    const owners = await request(t.url, "/api/v1/users", {
      method: "POST",
      key: apiKey,
      json: { email: "api-owner@example.com", role: "owner" },
    });
    assert.equal(owners.status, 403);
  });
});
