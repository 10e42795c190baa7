// What the command line accepts: the usage text, the options and their parsing. Kept apart from
// the commands, which load the whole application: `certyneo --help` and a mistyped option answer
// at once.
import { parseArgs } from "node:util";

export const USAGE = `Usage: certyneo <command> [options]

Commands:
  serve                                   Start the API, the signing pages and the workers
  migrate                                 Apply pending database migrations
  accounts create --name N [--json]       Create an account
  accounts list [--json]                  List accounts
  keys create --env test|live [--account acct_…] [--name N] [--json]
                                          Create an API key (and the first account if none exists)
  keys list [--account acct_…] [--json]   List API keys (never their secrets)
  keys revoke key_…                       Revoke a key at once
  keys set-limit key_… [--per-minute N] [--burst N]
                                          Change one key's rate limit (no restart needed)
  settings show --env test|live [--account acct_…] [--json]
                                          Show who is notified, reminders and expiry
  settings set --env test|live [--account acct_…] [--sender-emails a@x,b@y|none]
               [--sender-locale en|fr|tr] [--reminders FIRST,EVERY,MAX|off]
               [--expires-after-days N|default] [--json]
                                          Change them (as PATCH /api/v1/settings does)
  users create --email E [--role owner|admin|member] [--account acct_…] [--name N]
               [--password-stdin] [--json]
                                          Add a person who signs in to the dashboard (role
                                          member by default), with a sign-in link; the
                                          password is read from stdin
  users link --email E [--json]           Print a new one-time sign-in link for that person
  users list [--account acct_…] [--json]  List the people of an account
  users remove usr_…                      Remove a person: their sessions end at once
  pki export-root                         Print the platform's root certificate (PEM), to trust it
  evidence renew [--within-days N]        Timestamp again the sealed PDFs whose last timestamp
                                          expires within N days (default 90; the worker does it
                                          hourly); prints how many, and why any failed
  jobs status [--json]                    Background work by kind (due, running, failed, age of
                                          the oldest due) and webhook endpoints not healthy
  jobs failed [--json]                    List background jobs given up (sealing, messages,
                                          webhooks), with why
  jobs retry job_…                        Run a failed job again, with a fresh retry schedule
  db copy --to postgres://… [--json]      Copy this SQLite deployment (every table and stored
                                          file) into PostgreSQL, then check row counts, file
                                          hashes and every envelope's event chain; run it again
                                          to resume or to take what changed meanwhile
  backup DIR [--json]                     Copy a SQLite deployment while it serves: the database,
                                          the stored files it references (checked), the keys
                                          and the server secret; restore by serving from DIR
  blobs copy [--json]                     Copy into the database the stored files still on this
                                          host's disk (CERTYNEO_BLOB_STORE=database, the default
                                          on PostgreSQL), checked by hash; then other hosts see them
  sandbox reset --account acct_… [--json] Delete every test-environment object of the account
                                          (envelopes, documents, webhooks, events); the live
                                          environment, keys, people and settings stay

Configuration comes from environment variables; see the README.`;

/** A command line that cannot be run: the message, then the usage, exit code 2. */
export class UsageError extends Error {}

export const OPTIONS = {
  name: { type: "string" },
  env: { type: "string" },
  account: { type: "string" },
  "per-minute": { type: "string" },
  burst: { type: "string" },
  "sender-emails": { type: "string" },
  "sender-locale": { type: "string" },
  reminders: { type: "string" },
  "expires-after-days": { type: "string" },
  email: { type: "string" },
  role: { type: "string" },
  "password-stdin": { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  "within-days": { type: "string" },
  to: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

export type Options = ReturnType<typeof parse>["values"];

export function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}
