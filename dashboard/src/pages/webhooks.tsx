import type { WebhookEventType, WebhookWithSecret } from "@certyneo/sdk";
import { useState } from "preact/hooks";
import { isAdmin, useSignedIn } from "../api.js";
import { useI18n } from "../i18n.js";
import {
  ErrorNotice,
  Link,
  Loading,
  Notice,
  OneTimeSecret,
  PageHeader,
  TableHead,
  TextField,
  useAction,
  useLoad,
} from "../ui.js";
import { HealthBadge, WEBHOOK_EVENTS } from "../webhook-health.js";

/** The environment's webhook endpoints, and a form to add one (its secret shown once). */
export function WebhooksPage() {
  const { t } = useI18n();
  const { api, session } = useSignedIn();
  const loaded = useLoad(() => api.webhooks.list({ limit: 100 }), []);
  const [created, setCreated] = useState<WebhookWithSecret | null>(null);

  return (
    <>
      <PageHeader title={t("webhooksTitle")} intro={t("webhooksIntro")} />
      {isAdmin(session) ? (
        <NewWebhookForm
          onCreated={(webhook) => {
            setCreated(webhook);
            loaded.reload();
          }}
        />
      ) : (
        <Notice kind="info">{t("adminOnly")}</Notice>
      )}
      {created && (
        <>
          <OneTimeSecret intro={t("webhookCreated")} value={created.secret} />
          <p>
            <Link href={`/developers/webhooks/${created.id}`}>{created.url}</Link>
          </p>
        </>
      )}
      <Loading loaded={loaded}>
        {(list) =>
          list.data.length === 0 ? (
            <p class="empty">{t("noWebhooks")}</p>
          ) : (
            <table class="table responsive">
              <TableHead columns={[t("endpointUrl"), t("events"), t("health")]} />
              <tbody>
                {list.data.map((webhook) => (
                  <tr key={webhook.id}>
                    <td data-label={t("endpointUrl")}>
                      <Link href={`/developers/webhooks/${webhook.id}`} class="strong break">
                        {webhook.url}
                      </Link>
                      {webhook.description && <p class="muted">{webhook.description}</p>}
                    </td>
                    <td data-label={t("events")}>
                      {webhook.events === null ? t("allEvents") : webhook.events.join(", ")}
                    </td>
                    <td data-label={t("health")}>
                      <HealthBadge health={webhook.health} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loading>
    </>
  );
}

function NewWebhookForm(props: { onCreated: (webhook: WebhookWithSecret) => void }) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<Set<WebhookEventType>>(new Set());
  const action = useAction();
  return (
    <form
      class="card"
      onSubmit={async (event) => {
        event.preventDefault();
        const webhook = await action.run(() =>
          api.webhooks.create({
            url: url.trim(),
            ...(description.trim() && { description: description.trim() }),
            ...(events.size > 0 && { events: [...events] }),
          }),
        );
        if (webhook) {
          setUrl("");
          setDescription("");
          setEvents(new Set());
          props.onCreated(webhook);
        }
      }}
    >
      <h2>{t("addWebhook")}</h2>
      <TextField
        id="webhook-url"
        label={t("endpointUrl")}
        type="url"
        required
        placeholder="https://example.com/certyneo"
        value={url}
        onValue={setUrl}
      />
      <TextField
        id="webhook-description"
        label={
          <>
            {t("description")} <span class="muted">({t("optional")})</span>
          </>
        }
        maxLength={500}
        value={description}
        onValue={setDescription}
      />
      <fieldset class="checkboxes">
        <legend>
          {t("events")} <span class="muted">({t("allEvents")})</span>
        </legend>
        {WEBHOOK_EVENTS.map((type) => (
          <label key={type}>
            <input
              type="checkbox"
              checked={events.has(type)}
              onChange={(e) => {
                const next = new Set(events);
                if ((e.target as HTMLInputElement).checked) next.add(type);
                else next.delete(type);
                setEvents(next);
              }}
            />
            <code>{type}</code>
          </label>
        ))}
      </fieldset>
      <ErrorNotice error={action.error} />
      <button type="submit" class="button-primary" disabled={action.pending}>
        {t("addWebhook")}
      </button>
    </form>
  );
}
