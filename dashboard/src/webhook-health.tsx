import type { WebhookEventType, WebhookHealth } from "@certyneo/sdk";
import { useI18n } from "./i18n.js";
import { Badge } from "./ui.js";

/** Every event an endpoint can subscribe to (a Record, so that a new one cannot be forgotten). */
const EVENTS: Record<WebhookEventType, true> = {
  "envelope.created": true,
  "envelope.sent": true,
  "envelope.completed": true,
  "envelope.declined": true,
  "envelope.voided": true,
  "envelope.expired": true,
  "envelope.sealing_failed": true,
  "envelope.evidence_renewed": true,
  "recipient.viewed": true,
  "recipient.signed": true,
  "recipient.declined": true,
};
export const WEBHOOK_EVENTS = Object.keys(EVENTS) as WebhookEventType[];

export function HealthBadge(props: { health: WebhookHealth }) {
  const { t } = useI18n();
  const { state } = props.health;
  if (state === "healthy") return <Badge tone="success">{t("healthHealthy")}</Badge>;
  if (state === "backing_off") return <Badge tone="warning">{t("healthBackingOff")}</Badge>;
  return <Badge tone="danger">{t("healthDisabled")}</Badge>;
}
