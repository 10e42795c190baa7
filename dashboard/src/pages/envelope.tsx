import type { Envelope, EnvelopeEvent, Recipient } from "@certyneo/sdk";
import { useState } from "preact/hooks";
import { useSignedIn } from "../api.js";
import { type MessageKey, useI18n } from "../i18n.js";
import { navigate } from "../router.js";
import {
  Badge,
  ConfirmDialog,
  CopyButton,
  EnvelopeStatus,
  ErrorNotice,
  Link,
  Loading,
  Notice,
  PageHeader,
  saveDownload,
  useAction,
  useLoad,
} from "../ui.js";

const RECIPIENT_TONES: Record<string, string> = {
  PENDING: "neutral",
  SENT: "info",
  VIEWED: "info",
  SIGNED: "success",
  APPROVED: "success",
  DECLINED: "danger",
};

/** One envelope: who has done what, its history, its messages, and what can be done now. */
export function EnvelopePage(props: { id: string }) {
  const { api } = useSignedIn();
  const loaded = useLoad(
    () =>
      Promise.all([
        api.envelopes.get(props.id),
        api.envelopes.events(props.id),
        api.envelopes.notifications(props.id, { limit: 100 }),
      ]),
    [props.id],
  );
  return (
    <Loading loaded={loaded}>
      {([envelope, events, notifications]) => (
        <EnvelopeView
          envelope={envelope}
          events={events.data}
          notifications={notifications.data}
          reload={loaded.reload}
        />
      )}
    </Loading>
  );
}

function EnvelopeView(props: {
  envelope: Envelope;
  events: EnvelopeEvent[];
  notifications: {
    id: string;
    kind: string;
    channel: string;
    to: string;
    state: string;
    createdAt: string;
  }[];
  reload: () => void;
}) {
  const { t, date } = useI18n();
  const { api } = useSignedIn();
  const { envelope } = props;
  const [dialog, setDialog] = useState<"void" | "delete" | null>(null);
  const [reason, setReason] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const run = async (work: () => Promise<unknown>, message?: string) => {
    setDone(null);
    const result = await action.run(async () => {
      await work();
      return true;
    });
    if (result) {
      if (message) setDone(message);
      props.reload();
    }
  };
  const sealed = envelope.status === "COMPLETED" && envelope.sealedAt !== null;

  return (
    <>
      <p class="breadcrumb">
        <Link href="/envelopes">← {t("backToEnvelopes")}</Link>
      </p>
      <PageHeader
        title={envelope.subject}
        intro={
          <>
            <EnvelopeStatus status={envelope.status} />{" "}
            <span class="muted">
              {t("created")} {date(envelope.createdAt)}
              {envelope.expiresAt &&
                envelope.status === "SENT" &&
                ` · ${t("expiresAt", { date: date(envelope.expiresAt) })}`}
            </span>
          </>
        }
        actions={
          <>
            {envelope.status === "DRAFT" && (
              <>
                <button
                  type="button"
                  class="button-primary"
                  disabled={action.pending}
                  onClick={() => run(() => api.envelopes.send(envelope.id))}
                >
                  {t("send")}
                </button>
                <button type="button" class="button-danger" onClick={() => setDialog("delete")}>
                  {t("deleteDraft")}
                </button>
              </>
            )}
            {envelope.status === "SENT" && (
              <>
                <button
                  type="button"
                  class="button-secondary"
                  disabled={action.pending}
                  onClick={() => run(() => api.envelopes.remind(envelope.id), t("reminderSent"))}
                >
                  {t("sendReminder")}
                </button>
                <button type="button" class="button-danger" onClick={() => setDialog("void")}>
                  {t("voidEnvelope")}
                </button>
              </>
            )}
            {sealed && (
              <button
                type="button"
                class="button-primary"
                onClick={() =>
                  run(async () =>
                    saveDownload(await api.envelopes.signedDocument(envelope.id), "signed.pdf"),
                  )
                }
              >
                {t("downloadSigned")}
              </button>
            )}
            {envelope.status !== "DRAFT" && (
              <button
                type="button"
                class="button-secondary"
                onClick={() =>
                  run(async () =>
                    saveDownload(await api.envelopes.auditTrail(envelope.id), "audit-trail.pdf"),
                  )
                }
              >
                {t("downloadAuditTrail")}
              </button>
            )}
          </>
        }
      />
      <ErrorNotice error={action.error} />
      {done && <Notice kind="success">{done}</Notice>}
      {envelope.status === "COMPLETED" && !sealed && <Notice kind="info">{t("sealing")}</Notice>}
      {envelope.voidReason && (
        <Notice kind="info">{t("voided", { reason: envelope.voidReason })}</Notice>
      )}
      {envelope.message && <blockquote class="message">{envelope.message}</blockquote>}

      <section aria-labelledby="recipients-title" class="card">
        <h2 id="recipients-title">{t("recipients")}</h2>
        <ul class="recipient-list">
          {envelope.recipients.map((recipient) => (
            <RecipientRow key={recipient.id} recipient={recipient} envelope={envelope} />
          ))}
        </ul>
      </section>

      <section aria-labelledby="documents-title" class="card">
        <h2 id="documents-title">{t("documents")}</h2>
        <ul class="plain-list">
          {envelope.documents.map((d) => (
            <li key={d.id}>
              {d.name}{" "}
              <span class="muted">
                · {d.pages === 1 ? t("onePage") : t("pages", { count: d.pages })}
              </span>
            </li>
          ))}
        </ul>
      </section>

      <div class="two-columns">
        <section aria-labelledby="timeline-title" class="card">
          <h2 id="timeline-title">{t("timeline")}</h2>
          <ol class="timeline">
            {props.events.map((event) => (
              <li key={event.id}>
                <span class="timeline-type">{event.type}</span>{" "}
                <span class="muted">
                  {t("by", { actor: actorName(event, envelope, t) })} · {date(event.createdAt)}
                </span>
              </li>
            ))}
          </ol>
          <p class="hint">{t("eventChain")}</p>
        </section>
        <section aria-labelledby="notifications-title" class="card">
          <h2 id="notifications-title">{t("notificationsTitle")}</h2>
          {props.notifications.length === 0 ? (
            <p class="muted">{t("noNotifications")}</p>
          ) : (
            <ul class="plain-list">
              {props.notifications.map((n) => (
                <li key={n.id}>
                  <span class="strong">{n.kind}</span> → {n.to}{" "}
                  <span class="muted">
                    ({n.channel}, {n.state}) · {date(n.createdAt)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      <ConfirmDialog
        open={dialog === "void"}
        title={t("voidTitle")}
        confirmLabel={t("voidEnvelope")}
        danger
        onClose={() => setDialog(null)}
        onConfirm={async () => {
          await api.envelopes.delete(envelope.id, { reason: reason.trim() || undefined });
          props.reload();
        }}
      >
        <p>{t("voidIntro")}</p>
        <label for="void-reason">{t("voidReason")}</label>
        <textarea
          id="void-reason"
          maxLength={1000}
          rows={3}
          value={reason}
          onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)}
        />
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === "delete"}
        title={t("deleteDraft")}
        confirmLabel={t("deleteDraft")}
        danger
        onClose={() => setDialog(null)}
        onConfirm={async () => {
          await api.envelopes.delete(envelope.id);
          navigate("/envelopes");
        }}
      >
        <p>{t("deleteDraftConfirm")}</p>
      </ConfirmDialog>
    </>
  );
}

function actorName(
  event: EnvelopeEvent,
  envelope: Envelope,
  t: (key: MessageKey) => string,
): string {
  switch (event.actor.type) {
    case "recipient":
      return envelope.recipients.find((r) => r.id === event.actor.id)?.name ?? t("actorRecipient");
    case "api_key":
      return t("actorApiKey");
    case "user":
      return t("actorUser");
    default:
      return t("actorSystem");
  }
}

function RecipientRow(props: { recipient: Recipient; envelope: Envelope }) {
  const { t, date } = useI18n();
  const r = props.recipient;
  const when = r.signedAt ?? r.declinedAt ?? r.viewedAt ?? r.invitedAt;
  return (
    <li class="recipient">
      <div>
        <p class="strong">
          {r.name} <span class="muted">&lt;{r.email}&gt;</span>
        </p>
        <p class="muted">
          {t(`role${r.role}` as MessageKey)}
          {props.envelope.signingOrder === "sequential" && ` · ${t("order", { order: r.order })}`}
          {when && ` · ${date(when)}`}
        </p>
        {r.declineReason && <p>{t("declinedBecause", { reason: r.declineReason })}</p>}
      </div>
      <div class="recipient-actions">
        <Badge tone={RECIPIENT_TONES[r.status] ?? "neutral"}>
          {t(`recipientStatus${r.status}` as MessageKey)}
        </Badge>
        {r.signUrl && props.envelope.status === "SENT" && r.role !== "CC" && (
          <CopyButton text={r.signUrl} label={t("copyLink")} />
        )}
      </div>
    </li>
  );
}
