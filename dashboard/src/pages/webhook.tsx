import type { Webhook } from "@certyneo/sdk";
import { useState } from "preact/hooks";
import { isAdmin, useSignedIn } from "../api.js";
import { useI18n } from "../i18n.js";
import { navigate } from "../router.js";
import {
  ConfirmDialog,
  ErrorNotice,
  Link,
  Loading,
  Notice,
  OneTimeSecret,
  PageHeader,
  TableHead,
  useAction,
  useLoad,
} from "../ui.js";
import { HealthBadge } from "../webhook-health.js";

/** One endpoint: its health, a test event, secret rotation, and the log of its deliveries. */
export function WebhookPage(props: { id: string }) {
  const { api } = useSignedIn();
  const loaded = useLoad(
    () =>
      Promise.all([api.webhooks.get(props.id), api.webhooks.deliveries(props.id, { limit: 50 })]),
    [props.id],
  );
  return (
    <Loading loaded={loaded}>
      {([webhook, deliveries]) => (
        <WebhookView webhook={webhook} deliveries={deliveries.data} reload={loaded.reload} />
      )}
    </Loading>
  );
}

function WebhookView(props: {
  webhook: Webhook;
  deliveries: {
    id: string;
    deliveryId: string;
    eventType: string;
    attempt: number;
    statusCode: number | null;
    durationMs: number | null;
    error: string | null;
    createdAt: string;
  }[];
  reload: () => void;
}) {
  const { t, date } = useI18n();
  const { api, session } = useSignedIn();
  const admin = isAdmin(session);
  const { webhook } = props;
  const [secret, setSecret] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: "success" | "error"; text: string } | null>(null);
  const [dialog, setDialog] = useState<"rotate" | "delete" | null>(null);
  const action = useAction();

  const attempt = async (
    work: () => Promise<{
      delivered: boolean;
      statusCode: number | null;
      durationMs: number;
      error: string | null;
    }>,
  ) => {
    setMessage(null);
    const result = await action.run(work);
    if (!result) return;
    setMessage(
      result.delivered
        ? {
            kind: "success",
            text: t("testSent", { status: result.statusCode ?? "—", duration: result.durationMs }),
          }
        : {
            kind: "error",
            text: t("testFailed", {
              error: result.error ?? `HTTP ${result.statusCode ?? "—"}`,
            }),
          },
    );
    props.reload();
  };

  return (
    <>
      <p class="breadcrumb">
        <Link href="/developers/webhooks">← {t("webhooksTitle")}</Link>
      </p>
      <PageHeader
        title={webhook.url}
        intro={
          <>
            <HealthBadge health={webhook.health} />
            {webhook.description && <span class="muted"> · {webhook.description}</span>}
          </>
        }
        actions={
          admin && (
            <>
              <button
                type="button"
                class="button-primary"
                disabled={action.pending || webhook.health.state === "disabled"}
                onClick={() => attempt(() => api.webhooks.test(webhook.id))}
              >
                {t("sendTest")}
              </button>
              <button type="button" class="button-secondary" onClick={() => setDialog("rotate")}>
                {t("rotateSecret")}
              </button>
              <button type="button" class="button-danger" onClick={() => setDialog("delete")}>
                {t("deleteWebhook")}
              </button>
            </>
          )
        }
      />
      <ErrorNotice error={action.error} />
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {secret && <OneTimeSecret intro={t("webhookCreated")} value={secret} />}
      <section class="card" aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">{t("deliveries")}</h2>
        {props.deliveries.length === 0 ? (
          <p class="muted">{t("noDeliveries")}</p>
        ) : (
          <table class="table responsive">
            <TableHead
              columns={[t("event"), t("attempt"), t("response"), t("duration"), t("created")]}
              actions={admin}
            />
            <tbody>
              {props.deliveries.map((d) => {
                const ok = succeeded(d);
                const retryable =
                  !ok &&
                  !props.deliveries.some(
                    (other) => other.deliveryId === d.deliveryId && succeeded(other),
                  );
                return (
                  <tr key={d.id}>
                    <td data-label={t("event")}>
                      <code>{d.eventType}</code>
                    </td>
                    <td data-label={t("attempt")}>{d.attempt}</td>
                    <td data-label={t("response")}>
                      <span class={ok ? "ok" : "failed"}>
                        {d.statusCode ?? "—"}
                        {d.error && ` · ${d.error}`}
                      </span>
                    </td>
                    <td data-label={t("duration")}>
                      {d.durationMs === null ? "—" : `${d.durationMs} ms`}
                    </td>
                    <td data-label={t("created")}>{date(d.createdAt)}</td>
                    {admin && (
                      <td>
                        {retryable && (
                          <button
                            type="button"
                            class="button-secondary small"
                            disabled={action.pending}
                            onClick={() =>
                              attempt(() => api.webhooks.retryDelivery(webhook.id, d.deliveryId))
                            }
                          >
                            {t("retryDelivery")}
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
      </section>
      <ConfirmDialog
        open={dialog === "rotate"}
        title={t("rotateSecret")}
        confirmLabel={t("rotateSecret")}
        onClose={() => setDialog(null)}
        onConfirm={async () => {
          setSecret((await api.webhooks.rotateSecret(webhook.id)).secret);
        }}
      >
        <p>{t("rotateConfirm")}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === "delete"}
        title={t("deleteWebhook")}
        confirmLabel={t("deleteWebhook")}
        danger
        onClose={() => setDialog(null)}
        onConfirm={async () => {
          await api.webhooks.delete(webhook.id);
          navigate("/developers/webhooks");
        }}
      >
        <p>{t("deleteWebhookConfirm")}</p>
      </ConfirmDialog>
    </>
  );
}

function succeeded(attempt: { statusCode: number | null }): boolean {
  return attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;
}
