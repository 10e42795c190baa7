import type { User } from "@certyneo/sdk";
import { useState } from "preact/hooks";
import { isAdmin, useSignedIn } from "../api.js";
import { type MessageKey, useI18n } from "../i18n.js";
import {
  ConfirmDialog,
  ErrorNotice,
  Loading,
  Notice,
  PageHeader,
  TableHead,
  TextField,
  useAction,
  useLoad,
} from "../ui.js";

const ROLES = ["member", "admin", "owner"] as const;
const roleKey = (role: string) => `role${role[0]!.toUpperCase()}${role.slice(1)}` as MessageKey;

/** The people of the account: invite by email, change a role, remove. */
export function PeoplePage() {
  const { t, date } = useI18n();
  const { api, session } = useSignedIn();
  const admin = isAdmin(session);
  const owner = session.user.role === "owner";
  const loaded = useLoad(() => api.users.list(), []);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<User["role"]>("member");
  const [invited, setInvited] = useState<string | null>(null);
  const [removing, setRemoving] = useState<User | null>(null);
  const action = useAction();
  // What this person may give: admins never make an owner.
  const grantable = ROLES.filter((r) => owner || r !== "owner");

  return (
    <>
      <PageHeader title={t("peopleTitle")} intro={t("peopleIntro")} />
      {admin ? (
        <form
          class="card inline-form"
          onSubmit={async (event) => {
            event.preventDefault();
            const user = await action.run(() => api.users.invite({ email: email.trim(), role }));
            if (user) {
              setInvited(user.email);
              setEmail("");
              loaded.reload();
            }
          }}
        >
          <TextField
            id="invite-email"
            class="field grow"
            label={t("email")}
            type="email"
            required
            value={email}
            onValue={setEmail}
          />
          <div class="field">
            <label for="invite-role">{t("role")}</label>
            <select
              id="invite-role"
              value={role}
              onChange={(e) => setRole((e.target as HTMLSelectElement).value as User["role"])}
            >
              {grantable.map((r) => (
                <option key={r} value={r}>
                  {t(roleKey(r))}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="button-primary" disabled={action.pending}>
            {t("invite")}
          </button>
        </form>
      ) : (
        <Notice kind="info">{t("adminOnly")}</Notice>
      )}
      <ErrorNotice error={action.error} />
      {invited && <Notice kind="success">{t("invited", { email: invited })}</Notice>}
      <Loading loaded={loaded}>
        {(list) => (
          <table class="table responsive">
            <TableHead
              columns={[t("email"), t("role"), t("signIn"), t("created")]}
              actions={admin}
            />
            <tbody>
              {list.data.map((user) => {
                const me = user.id === session.user.id;
                const manageable = admin && !me && (owner || user.role !== "owner");
                return (
                  <tr key={user.id}>
                    <td data-label={t("email")}>
                      <span class="strong">{user.name ?? user.email}</span>
                      {user.name && <span class="muted"> {user.email}</span>}
                      {me && <span class="muted"> ({t("you")})</span>}
                    </td>
                    <td data-label={t("role")}>
                      {manageable ? (
                        <select
                          aria-label={`${t("role")}: ${user.email}`}
                          value={user.role}
                          onChange={async (e) => {
                            const next = (e.target as HTMLSelectElement).value as User["role"];
                            await action.run(() => api.users.update(user.id, { role: next }));
                            loaded.reload();
                          }}
                        >
                          {grantable.map((r) => (
                            <option key={r} value={r}>
                              {t(roleKey(r))}
                            </option>
                          ))}
                        </select>
                      ) : (
                        t(roleKey(user.role))
                      )}
                    </td>
                    <td data-label={t("signIn")}>
                      {user.hasPassword ? t("passwordSet") : t("linkOnly")}
                    </td>
                    <td data-label={t("created")}>{date(user.createdAt)}</td>
                    {admin && (
                      <td>
                        {manageable && (
                          <button
                            type="button"
                            class="button-danger small"
                            aria-label={`${t("remove")} ${user.email}`}
                            onClick={() => setRemoving(user)}
                          >
                            {t("remove")}
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Loading>
      <ConfirmDialog
        open={removing !== null}
        title={t("remove")}
        confirmLabel={t("remove")}
        danger
        onClose={() => setRemoving(null)}
        onConfirm={async () => {
          if (removing) await api.users.remove(removing.id);
          loaded.reload();
        }}
      >
        <p>{t("removeConfirm", { email: removing?.email ?? "" })}</p>
      </ConfirmDialog>
    </>
  );
}
