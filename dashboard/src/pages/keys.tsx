import type { ApiKey, ApiKeyWithSecret } from "@certyneo/sdk";
import { useState } from "preact/hooks";
import { isAdmin, useSignedIn } from "../api.js";
import { useI18n } from "../i18n.js";
import {
  Badge,
  ConfirmDialog,
  CopyButton,
  ErrorNotice,
  Loading,
  Notice,
  OneTimeSecret,
  PageHeader,
  TableHead,
  TextField,
  useAction,
  useLoad,
} from "../ui.js";

/** The environment's API keys: create one (its secret shown once), see when each was used, revoke. */
export function KeysPage() {
  const { t, date } = useI18n();
  const { api, session } = useSignedIn();
  const admin = isAdmin(session);
  const loaded = useLoad(() => api.keys.list({ limit: 100 }), []);
  const [name, setName] = useState("");
  const [created, setCreated] = useState<ApiKeyWithSecret | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const action = useAction();

  return (
    <>
      <PageHeader
        title={t("keysTitle")}
        intro={t("keysIntro", { environment: t(session.environment) })}
      />
      {admin ? (
        <form
          class="card inline-form"
          onSubmit={async (event) => {
            event.preventDefault();
            const key = await action.run(() => api.keys.create({ name: name.trim() || undefined }));
            if (key) {
              setCreated(key);
              setName("");
              loaded.reload();
            }
          }}
        >
          <TextField
            id="key-name"
            class="field grow"
            label={
              <>
                {t("keyName")} <span class="muted">({t("optional")})</span>
              </>
            }
            maxLength={200}
            value={name}
            onValue={setName}
            hint={t("keyNameHint")}
          />
          <button type="submit" class="button-primary" disabled={action.pending}>
            {t("createKey")}
          </button>
        </form>
      ) : (
        <Notice kind="info">{t("adminOnly")}</Notice>
      )}
      <ErrorNotice error={action.error} />
      {created && <OneTimeSecret intro={t("keyCreated")} value={created.secret} />}
      <Loading loaded={loaded}>
        {(list) =>
          list.data.length === 0 ? (
            <p class="empty">{t("noKeys")}</p>
          ) : (
            <table class="table responsive">
              <TableHead
                columns={[
                  t("name"),
                  t("last4"),
                  t("created"),
                  t("lastUsed"),
                  t("rateLimit"),
                  t("status"),
                ]}
                actions={admin}
              />
              <tbody>
                {list.data.map((key) => (
                  <tr key={key.id}>
                    <td data-label={t("name")}>{key.name ?? "—"}</td>
                    <td data-label={t("last4")}>
                      <code>…{key.last4}</code>
                    </td>
                    <td data-label={t("created")}>{date(key.createdAt)}</td>
                    <td data-label={t("lastUsed")}>
                      {key.lastUsedAt ? date(key.lastUsedAt) : t("never")}
                    </td>
                    <td data-label={t("rateLimit")}>
                      {t("perMinute", { count: key.rateLimit.perMinute })}
                    </td>
                    <td data-label={t("status")}>
                      {key.revokedAt ? (
                        <Badge tone="neutral">{t("revoked")}</Badge>
                      ) : (
                        <Badge tone="success">{t("active")}</Badge>
                      )}
                    </td>
                    {admin && (
                      <td>
                        {!key.revokedAt && (
                          <button
                            type="button"
                            class="button-danger small"
                            aria-label={`${t("revoke")} …${key.last4}`}
                            onClick={() => setRevoking(key)}
                          >
                            {t("revoke")}
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loading>
      <FirstRequest secret={created?.secret} />
      <ConfirmDialog
        open={revoking !== null}
        title={t("revoke")}
        confirmLabel={t("revoke")}
        danger
        onClose={() => setRevoking(null)}
        onConfirm={async () => {
          if (revoking) await api.keys.revoke(revoking.id);
          loaded.reload();
        }}
      >
        <p>{t("revokeConfirm", { last4: revoking?.last4 ?? "" })}</p>
      </ConfirmDialog>
    </>
  );
}

/** The curl command to try the API on this very instance, with the new key when there is one. */
function FirstRequest(props: { secret: string | undefined }) {
  const { t } = useI18n();
  const command = `curl ${location.origin}/api/v1/keys \\\n  -H "Authorization: Bearer ${props.secret ?? "sk_…"}"`;
  return (
    <section class="card" aria-labelledby="first-request-title">
      <h2 id="first-request-title">{t("firstRequest")}</h2>
      <p>{t("firstRequestIntro")}</p>
      <pre class="code">
        <code>{command}</code>
      </pre>
      {!props.secret && <p class="hint">{t("firstRequestKey")}</p>}
      <CopyButton text={command.replace("\\\n  ", "")} />
    </section>
  );
}
