// The commands of `certyneo`, each on the application it opens (loaded only once the command
// line has been read: see main.ts).
import path from "node:path";
import { type App, createApp } from "../app.js";
import { type Config, loadConfig } from "../config.js";
import { openDatabase } from "../db/database.js";
import { isEnvironment, type Scope } from "../domain/environment.js";
import { CertyneoError } from "../domain/errors.js";
import { closeServer } from "../http/closing-connections.js";
import { signInUrl } from "../notify/dashboard-emails.js";
import type { AccountSettings, AccountSettingsPatch } from "../services/account-settings.js";
import type { ApiKey } from "../services/api-keys.js";
import { copyIntoDatabase } from "../services/blob-references.js";
import { bootstrapFirstAccount, soleAccount } from "../services/bootstrap.js";
import { INVITATION_LINK_MS, USER_ROLES, type UserRole } from "../services/users.js";
import { DatabaseBlobStore } from "../storage/database-blob-store.js";
import { printJson, table } from "./output.js";
import { type Options, UsageError } from "./usage.js";

/** Runs the command named by `positionals` (at least one), with its options. */
export async function run(values: Options, positionals: readonly string[]): Promise<void> {
  const [command, sub, ...rest] = positionals;
  const config = loadConfig();
  if (command === "serve") return serve(await createApp(config));
  if (command === "backup") return backup(config, sub, values);
  if (command === "db" && sub === "copy") return copyDatabase(config, values);
  if (command === "migrate") {
    const database = openDatabase(config);
    try {
      const applied = await database.migrate();
      console.log(applied.length ? `Applied: ${applied.join(", ")}` : "Database is up to date.");
    } finally {
      await database.close();
    }
    return;
  }
  const app = await createApp(config);
  try {
    if (command === "accounts" && sub === "create") return await createAccount(app, values);
    if (command === "accounts" && sub === "list") return await listAccounts(app, values);
    if (command === "keys" && sub === "create") return await createKey(app, values);
    if (command === "keys" && sub === "list") return await listKeys(app, values);
    if (command === "keys" && sub === "revoke") return await revokeKey(app, rest[0]);
    if (command === "keys" && sub === "set-limit") return await setLimit(app, rest[0], values);
    if (command === "users" && sub === "create") return await createUser(app, values);
    if (command === "users" && sub === "list") return await listUsers(app, values);
    if (command === "users" && sub === "link") return await printSignInLink(app, values);
    if (command === "users" && sub === "remove") return await removeUser(app, rest[0]);
    if (command === "pki" && sub === "export-root") return await exportRoot(app);
    if (command === "evidence" && sub === "renew") return await renewEvidence(app, values);
    if (command === "settings" && sub === "show") return await showSettings(app, values);
    if (command === "settings" && sub === "set") return await setSettings(app, values);
    if (command === "jobs" && (sub === "status" || sub === undefined))
      return await jobStatus(app, values);
    if (command === "jobs" && sub === "failed") return await listFailedJobs(app, values);
    if (command === "jobs" && sub === "retry") return await retryJob(app, rest[0]);
    if (command === "sandbox" && sub === "reset") return await resetSandbox(app, values);
    if (command === "blobs" && sub === "copy") return await copyBlobs(app, values);
    throw new UsageError(`Unknown command "${[command, sub].filter(Boolean).join(" ")}".`);
  } finally {
    await app.close();
  }
}

async function serve(app: App): Promise<void> {
  const first = await bootstrapFirstAccount(
    app.database,
    app.accounts,
    app.keys,
    app.users,
    app.config.ownerEmail,
  );
  // Loaded here only: the HTTP stack is the slow part of starting, and other commands skip it.
  const { startServer } = await import("../serve.js");
  const server = await startServer(app);
  if (app.database.dialect === "postgres" && !app.config.secretKey) {
    server.log.warn(
      "CERTYNEO_SECRET_KEY is not set: this instance uses the secret in its data directory. Give every instance that shares this database the same CERTYNEO_SECRET_KEY, or their signing links will differ.",
    );
  }
  if (first) {
    // Printed once, to the terminal only: secrets never go through the logger. On stderr: stdout
    // carries the log, one JSON object a line when it is not a terminal.
    process.stderr.write(
      `\nCreated account ${first.account.id} with a test API key (shown only now):\n\n  ${first.key.secret}\n\n` +
        `Try it:  curl -H "Authorization: Bearer ${first.key.secret}" ${app.config.publicUrl}/api/v1/keys\n\n` +
        `Dashboard: sign in as ${first.owner.email} (owner) with this link, which works once, for 7 days:\n\n  ${signInUrl(app.config.publicUrl, first.signInToken)}\n\n`,
    );
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, "shutting down");
    await closeServer(server, app.config.shutdownGraceMs);
    await app.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

async function jobStatus(app: App, values: Options): Promise<void> {
  const [queue, endpoints] = await Promise.all([
    app.jobs.stats(),
    app.webhooks.endpointsNotHealthy(),
  ]);
  if (values.json) return printJson({ queue, webhooks: endpoints });
  console.log(
    queue.length === 0
      ? "No background jobs waiting, running or failed."
      : table(
          ["KIND", "DUE", "PENDING", "RUNNING", "FAILED", "OLDEST DUE"],
          queue.map((q) => [
            q.kind,
            String(q.due),
            String(q.pending),
            String(q.running),
            String(q.failed),
            q.oldestDueSeconds === null ? "-" : `${Math.round(q.oldestDueSeconds)} s`,
          ]),
        ),
  );
  console.log();
  console.log(
    endpoints.length === 0
      ? "Every webhook endpoint is healthy."
      : table(
          ["WEBHOOK", "ACCOUNT", "ENV", "STATE", "FAILING SINCE", "RETRY AT", "PENDING", "URL"],
          endpoints.map((w) => [
            w.id,
            w.accountId,
            w.environment,
            w.health.state,
            w.health.failingSince ?? "-",
            w.health.retryAt ?? "-",
            String(w.health.pendingDeliveries),
            w.url,
          ]),
        ),
  );
}

async function listFailedJobs(app: App, values: Options): Promise<void> {
  const jobs = await app.jobs.listFailed();
  const rows = jobs.map((j) => ({
    id: j.id,
    kind: j.kind,
    envelopeId: j.envelope_id,
    accountId: j.account_id,
    environment: j.environment,
    attempts: j.attempts,
    failedAt: j.updated_at,
    error: j.last_error,
  }));
  if (values.json) return printJson(rows);
  if (rows.length === 0) return console.log("No failed jobs.");
  console.log(
    table(
      ["ID", "KIND", "ENVELOPE", "ACCOUNT", "ENV", "ATTEMPTS", "FAILED AT", "ERROR"],
      rows.map((r) => [
        r.id,
        r.kind,
        r.envelopeId,
        r.accountId,
        r.environment,
        String(r.attempts),
        r.failedAt,
        (r.error ?? "").replace(/\s+/g, " ").slice(0, 120),
      ]),
    ),
  );
}

async function retryJob(app: App, id: string | undefined): Promise<void> {
  if (!id) throw new UsageError("jobs retry needs a job id (job_…), from `certyneo jobs failed`.");
  if (!(await app.jobs.retry(id))) {
    throw new CertyneoError("not_found", "job_not_found", `No failed job with id "${id}".`);
  }
  console.log(`Job ${id} will run again within seconds.`);
}

async function createAccount(app: App, values: Options): Promise<void> {
  if (!values.name?.trim()) throw new UsageError("accounts create needs --name.");
  const account = await app.accounts.create(values.name.trim());
  if (values.json) printJson({ object: "account", ...account });
  else console.log(`Created account ${account.id} (${account.name}).`);
}

async function listAccounts(app: App, values: Options): Promise<void> {
  const accounts = await app.accounts.list();
  if (values.json) return printJson(accounts.map((a) => ({ object: "account", ...a })));
  console.log(
    table(
      ["ID", "NAME", "CREATED"],
      accounts.map((a) => [a.id, a.name, a.createdAt]),
    ),
  );
}

async function createKey(app: App, values: Options): Promise<void> {
  if (!isEnvironment(values.env))
    throw new UsageError("keys create needs --env test or --env live.");
  const accountId = values.account ?? (await defaultAccountId(app));
  if (!(await app.accounts.find(accountId))) {
    throw new CertyneoError("not_found", "account_not_found", `No account with id "${accountId}".`);
  }
  const { key, secret } = await app.keys.create(
    { accountId, environment: values.env },
    { name: values.name ?? null },
  );
  if (values.json) return printJson({ ...keyJson(key), secret });
  console.log(
    `Created ${key.environment} key ${key.id} for account ${accountId}. Its secret, shown only now:\n`,
  );
  console.log(`  ${secret}\n`);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One line: what `echo` or a password manager pipes in, without its newline.
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

async function createUser(app: App, values: Options): Promise<void> {
  if (!values.email?.includes("@")) throw new UsageError("users create needs --email.");
  const role = values.role ?? "member";
  if (!(USER_ROLES as readonly string[]).includes(role))
    throw new UsageError("--role is owner, admin or member.");
  const accountId = values.account ?? (await defaultAccountId(app));
  if (!(await app.accounts.find(accountId))) {
    throw new CertyneoError("not_found", "account_not_found", `No account with id "${accountId}".`);
  }
  const password = values["password-stdin"] ? await readStdin() : undefined;
  const user = await app.users.create({
    accountId,
    email: values.email,
    role: role as UserRole,
    name: values.name,
    password,
  });
  const link = signInUrl(
    app.config.publicUrl,
    await app.users.linkFor(user.id, INVITATION_LINK_MS),
  );
  if (values.json) return printJson({ object: "user", ...user, signInUrl: link });
  console.log(
    `Created ${user.role} ${user.email} (${user.id}) in account ${accountId}${user.hasPassword ? ", with a password" : ""}.\n` +
      `Their sign-in link, which works once, for 7 days:\n\n  ${link}\n`,
  );
}

async function printSignInLink(app: App, values: Options): Promise<void> {
  if (!values.email?.includes("@")) throw new UsageError("users link needs --email.");
  const user = await app.users.findByEmail(values.email);
  if (!user)
    throw new CertyneoError("not_found", "user_not_found", `Nobody signs in as ${values.email}.`);
  const link = signInUrl(
    app.config.publicUrl,
    await app.users.linkFor(user.id, INVITATION_LINK_MS),
  );
  if (values.json) return printJson({ object: "sign_in_link", userId: user.id, signInUrl: link });
  console.log(`A sign-in link for ${user.email}, which works once, for 7 days:\n\n  ${link}\n`);
}

async function listUsers(app: App, values: Options): Promise<void> {
  const users = await app.users.list(values.account ?? (await defaultAccountId(app)));
  if (values.json) return printJson(users.map((u) => ({ object: "user", ...u })));
  console.log(
    table(
      ["ID", "EMAIL", "ROLE", "PASSWORD", "CREATED"],
      users.map((u) => [u.id, u.email, u.role, u.hasPassword ? "yes" : "no", u.createdAt]),
    ),
  );
}

async function removeUser(app: App, id: string | undefined): Promise<void> {
  if (!id)
    throw new UsageError("users remove needs a user id (usr_…), from `certyneo users list`.");
  if (!(await app.users.find(id)))
    throw new CertyneoError("not_found", "user_not_found", `No user with id "${id}".`);
  await app.users.remove(id);
  console.log(`Removed ${id}: their sessions have ended.`);
}

async function defaultAccountId(app: App): Promise<string> {
  const result = await soleAccount(app.database, app.accounts);
  if ("ambiguous" in result) {
    const ids = result.ambiguous.map((a) => a.id).join(", ");
    throw new UsageError(`Several accounts exist (${ids}): choose one with --account.`);
  }
  if (result.created)
    console.error(`Created account ${result.account.id} (${result.account.name}).`);
  return result.account.id;
}

async function listKeys(app: App, values: Options): Promise<void> {
  const keys = await app.keys.listForOperator(values.account);
  if (values.json) return printJson(keys.map(keyJson));
  console.log(
    table(
      ["ID", "ACCOUNT", "ENV", "NAME", "LAST4", "CREATED", "LAST USED", "REVOKED", "LIMIT"],
      keys.map((k) => [
        k.id,
        k.accountId,
        k.environment,
        k.name ?? "",
        k.last4,
        k.createdAt,
        k.lastUsedAt ?? "",
        k.revokedAt ?? "",
        limitLabel(app, k),
      ]),
    ),
  );
}

function limitLabel(app: App, key: ApiKey): string {
  const perMinute = key.rateLimit?.perMinute ?? app.config.rateLimit.perMinute;
  const burst = key.rateLimit?.burst ?? app.config.rateLimit.burst;
  return `${perMinute}/min, burst ${burst}${key.rateLimit ? "" : " (default)"}`;
}

async function revokeKey(app: App, id: string | undefined): Promise<void> {
  if (!id) throw new UsageError("keys revoke needs a key id (key_…).");
  const key = await app.keys.findForOperator(id);
  if (!key)
    throw new CertyneoError("not_found", "api_key_not_found", `No API key with id "${id}".`);
  const revoked = await app.keys.revoke(
    { accountId: key.accountId, environment: key.environment },
    id,
  );
  console.log(`Revoked ${revoked.id} at ${revoked.revokedAt}.`);
}

async function setLimit(app: App, id: string | undefined, values: Options): Promise<void> {
  if (!id) throw new UsageError("keys set-limit needs a key id (key_…).");
  const perMinute = positiveInteger("--per-minute", values["per-minute"]);
  const burst = positiveInteger("--burst", values.burst);
  if (perMinute === undefined && burst === undefined) {
    throw new UsageError("keys set-limit needs --per-minute N, --burst N, or both.");
  }
  const key = await app.keys.setRateLimit(id, {
    ...(perMinute !== undefined && { perMinute }),
    ...(burst !== undefined && { burst }),
  });
  console.log(
    `Rate limit of ${key.id}: ${limitLabel(app, key)}. It applies from the next request.`,
  );
}

async function renewEvidence(app: App, values: Options): Promise<void> {
  const days = values["within-days"] === undefined ? undefined : Number(values["within-days"]);
  if (days !== undefined && !(Number.isInteger(days) && days >= 0 && days <= 36_500)) {
    throw new UsageError("--within-days must be a whole number of days, 0 to 36500.");
  }
  const { renewed, failures } = await app.evidence.renewDue(days);
  console.log(`Timestamped again: ${renewed} sealed PDFs.`);
  for (const failure of failures) {
    console.error(
      `Failed: ${failure.envelopeId} (${failure.parts.join(", ")}): ${failure.message}`,
    );
  }
  if (failures.length > 0) process.exitCode = 1;
}

async function copyBlobs(app: App, values: Options): Promise<void> {
  if (!(app.blobs instanceof DatabaseBlobStore)) {
    throw new UsageError(
      "blobs copy moves stored files into the database: set CERTYNEO_BLOB_STORE=database (the default with a PostgreSQL DATABASE_URL).",
    );
  }
  const result = await copyIntoDatabase(app.database.db, app.database.dialect, app.blobs);
  if (values.json) printJson(result);
  else {
    console.log(
      `Copied ${result.copied} stored files into the database (${result.already} were there).`,
    );
    for (const sha256 of result.missing) console.error(`Not on this host's disk: ${sha256}`);
    for (const sha256 of result.damaged) console.error(`Damaged on this disk: ${sha256}`);
  }
  if (result.missing.length + result.damaged.length > 0) process.exitCode = 1;
}

async function resetSandbox(app: App, values: Options): Promise<void> {
  // Named, never implied: this deletes what it finds.
  if (!values.account) throw new UsageError("sandbox reset needs --account acct_….");
  const deleted = await app.sandbox.reset(values.account);
  if (values.json) return printJson({ object: "sandbox_reset", deleted });
  console.log(
    `Deleted from ${values.account}'s test environment: ${deleted.envelopes} envelopes, ${deleted.documents} documents, ${deleted.webhooks} webhooks, ${deleted.events} events.`,
  );
}

async function backup(config: Config, target: string | undefined, values: Options): Promise<void> {
  if (!target) throw new UsageError("backup needs a directory: certyneo backup DIR.");
  if (config.databaseUrl) {
    throw new UsageError(
      "backup copies a SQLite deployment. On PostgreSQL, back up with pg_dump and copy CERTYNEO_DATA_DIR (blobs, pki, secret.key): see docs/operations.md.",
    );
  }
  const { backupDeployment } = await import("../backup.js");
  const result = await backupDeployment(config.dataDir, path.resolve(target));
  if (values.json) return printJson({ object: "backup", ...result });
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  console.log(
    `Backed up to ${result.directory}: the database (${mb(result.databaseBytes)}), ${result.files} stored files (${mb(result.fileBytes)}), the platform's keys${result.secretIncluded ? " and the server secret" : ""}.`,
  );
  if (!result.secretIncluded)
    console.log(
      "The server secret comes from CERTYNEO_SECRET_KEY: keep it with this backup, or the keys in it cannot be decrypted.",
    );
}

async function copyDatabase(config: Config, values: Options): Promise<void> {
  if (!values.to || !/^postgres(ql)?:\/\//.test(values.to)) {
    throw new UsageError(
      "db copy needs the PostgreSQL database: certyneo db copy --to postgres://…",
    );
  }
  if (config.databaseUrl) {
    throw new UsageError("db copy moves a SQLite deployment: this one already uses PostgreSQL.");
  }
  const { copyToPostgres } = await import("../db-copy.js");
  const report = await copyToPostgres(config, values.to, (line) => {
    if (!values.json) console.error(line);
  });
  const problems =
    report.mismatches.length +
    report.brokenChains.length +
    report.files.missing.length +
    report.files.damaged.length;
  if (problems > 0) process.exitCode = 1;
  if (values.json) return printJson({ object: "database_copy", ...report });
  const rows = report.tables.reduce((sum, table) => sum + table.rows, 0);
  console.log(
    `Copied to PostgreSQL: ${rows} rows in ${report.tables.length} tables, ${report.files.copied + report.files.already} stored files, ${report.envelopes} envelopes whose event chains hold.`,
  );
  for (const m of report.mismatches)
    console.error(`Rows differ in ${m.name}: ${m.source} in SQLite, ${m.target} in PostgreSQL.`);
  for (const b of report.brokenChains)
    console.error(`The event chain of ${b.envelopeId} breaks at event ${b.sequence}.`);
  for (const sha256 of report.files.missing) console.error(`Stored file missing: ${sha256}`);
  for (const sha256 of report.files.damaged) console.error(`Stored file damaged: ${sha256}`);
  if (problems === 0)
    console.log(
      "Now start Certyneo with DATABASE_URL set to it (same CERTYNEO_DATA_DIR or its pki/ and secret): see docs/operations.md.",
    );
}

async function exportRoot(app: App): Promise<void> {
  // The platform root issues the seal's certificate and the built-in timestamp authority's: with
  // the operator's certificate and an external authority, it vouches for nothing.
  if ((app.config.pkcs12 || app.config.pkcs11) && app.config.tsaUrl) {
    throw new UsageError(
      "Documents are signed with the operator's certificate (CERTYNEO_PKCS12_PATH) and timestamped by CERTYNEO_TSA_URL: export their chains from the CAs that issued them.",
    );
  }
  const { rootCertificatePem } = await app.pki();
  process.stdout.write(rootCertificatePem);
}

async function settingsScope(app: App, values: Options, command: string): Promise<Scope> {
  if (!isEnvironment(values.env)) {
    throw new UsageError(`${command} needs --env test or --env live.`);
  }
  const accountId = values.account ?? (await defaultAccountId(app));
  if (!(await app.accounts.find(accountId))) {
    throw new CertyneoError("not_found", "account_not_found", `No account with id "${accountId}".`);
  }
  return { accountId, environment: values.env };
}

function printSettings(settings: AccountSettings, json: boolean): void {
  if (json) {
    printJson({ object: "settings", ...settings });
    return;
  }
  const reminders = settings.reminders;
  console.log(
    [
      `Environment:        ${settings.environment}`,
      `Sender emails:      ${settings.senderEmails.join(", ") || "(none)"}`,
      `Sender locale:      ${settings.senderLocale}`,
      `Reminders:          ${reminders ? `first after ${reminders.firstAfterDays} day(s), then every ${reminders.everyDays}, at most ${reminders.max}` : "off"}`,
      `Expires after:      ${settings.expiresAfterDays} day(s) (when an envelope sets no expiresAt)`,
    ].join("\n"),
  );
}

async function showSettings(app: App, values: Options): Promise<void> {
  const scope = await settingsScope(app, values, "settings show");
  printSettings(await app.settings.get(scope), values.json);
}

async function setSettings(app: App, values: Options): Promise<void> {
  const scope = await settingsScope(app, values, "settings set");
  const patch: AccountSettingsPatch = {};
  const emails = values["sender-emails"];
  if (emails !== undefined) {
    patch.senderEmails = emails === "none" ? [] : emails.split(",").filter((e) => e.trim());
  }
  if (values["sender-locale"] !== undefined) patch.senderLocale = values["sender-locale"];
  const reminders = values.reminders;
  if (reminders !== undefined) {
    if (reminders === "off") patch.reminders = null;
    else {
      const parts = reminders.split(",").map((part) => part.trim());
      if (parts.length !== 3 || parts.some((part) => !/^\d+$/.test(part))) {
        throw new UsageError("--reminders is FIRST,EVERY,MAX in days (e.g. 3,2,5), or off.");
      }
      const [firstAfterDays, everyDays, max] = parts.map(Number) as [number, number, number];
      patch.reminders = { firstAfterDays, everyDays, max };
    }
  }
  const days = values["expires-after-days"];
  if (days !== undefined) {
    if (days !== "default" && !/^\d+$/.test(days)) {
      throw new UsageError("--expires-after-days is a number of days, or default.");
    }
    patch.expiresAfterDays = days === "default" ? null : Number(days);
  }
  if (Object.keys(patch).length === 0) {
    throw new UsageError(
      "settings set needs at least one of --sender-emails, --sender-locale, --reminders, --expires-after-days.",
    );
  }
  printSettings(await app.settings.update(scope, patch), values.json);
}

function positiveInteger(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 1_000_000) {
    throw new UsageError(`${flag} must be a whole number between 1 and 1000000.`);
  }
  return value;
}

function keyJson(key: ApiKey) {
  return { object: "api_key", ...key };
}
