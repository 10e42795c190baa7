import { createHmac, randomInt } from "node:crypto";
import { CertyneoError } from "../../domain/errors.js";
import { otpEmail, otpSms } from "../../notify/emails.js";
import { SmsDeliveryError } from "../../notify/sms.js";
import type { Locale } from "../../signing/i18n.js";
import { senderOf } from "../branding.js";
import type { ActionContext } from "../event-log.js";
import { assertCanAct, assertLive, describe, limit, mutate, resolveSession } from "./session.js";
import { OTP_TTL_MS, type SigningDeps } from "./types.js";

/** Masks an address or number so that the page can say where a code went without leaking it. */
export function maskDestination(value: string): string {
  if (value.includes("@")) {
    const [local = "", domain = ""] = value.split("@");
    return `${local.slice(0, 1)}${"•".repeat(Math.max(1, local.length - 1))}@${domain}`;
  }
  return `${value.slice(0, 3)}${"•".repeat(Math.max(1, value.length - 5))}${value.slice(-2)}`;
}

/** Sends a new 6-digit code by the recipient's channel; the previous one stops working. */
export async function sendOtp(
  deps: SigningDeps,
  token: string,
  context: ActionContext,
  locale: Locale,
): Promise<{ destination: string; expiresAt: string }> {
  const session = await resolveSession(deps, token);
  assertLive(deps, session);
  assertCanAct(await describe(deps, session));
  const { recipient } = session;
  if (recipient.auth === "none") {
    throw new CertyneoError(
      "conflict",
      "otp_not_required",
      "This recipient signs without a one-time code.",
    );
  }
  await limit(deps, `otp-send:${recipient.id}`, { perMinute: 2, burst: 3 }, "codes");
  const channel = recipient.auth === "sms_otp" ? "sms" : "email";
  const destination = channel === "sms" ? recipient.phone! : recipient.email;
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  const expiresAt = new Date(deps.clock.now().getTime() + OTP_TTL_MS).toISOString();
  await mutate(deps, token, context, async (trx, locked) => {
    await trx
      .updateTable("recipients")
      .set({
        otp_hash: otpHash(deps, recipient.id, code),
        otp_expires_at: expiresAt,
        otp_attempts: 0,
      })
      .where("id", "=", locked.recipient.id)
      .execute();
    return [
      {
        type: "recipient.otp_sent",
        recipientId: recipient.id,
        data: { channel, destination: maskDestination(destination) },
      },
    ];
  });
  try {
    if (channel === "sms") {
      await deps.sms.send(destination, otpSms(locale, code));
    } else {
      const sender = await senderOf(deps.db, session.scope.accountId);
      const facts = {
        locale,
        accountName: sender.name,
        accentColor: sender.accentColor,
        logo: sender.logo,
        subject: session.envelope.subject,
        test: session.scope.environment === "test",
      };
      await deps.mailer.send({
        ...otpEmail(facts, destination, recipient.name, code),
        onBehalfOf: sender.name,
      });
    }
  } catch (error) {
    // Never what the provider answered: it may quote the text, and so the code.
    const reason =
      error instanceof SmsDeliveryError
        ? error.summary
        : (error instanceof Error ? error.message : String(error)).slice(0, 500);
    await mutate(deps, token, context, async () => [
      {
        type: "notification.failed",
        recipientId: recipient.id,
        data: { kind: "otp", channel, to: maskDestination(destination), error: reason },
      },
    ]);
    throw new CertyneoError(
      "unavailable",
      "otp_delivery_failed",
      `The code could not be sent by ${channel === "sms" ? "SMS" : "email"}. Try again in a moment.`,
    );
  }
  return { destination: maskDestination(destination), expiresAt };
}

/** Codes are stored as an HMAC keyed by the server secret: a leaked row reveals nothing. */
export function otpHash(deps: SigningDeps, recipientId: string, code: string): string {
  return createHmac("sha256", deps.secret).update(`otp:${recipientId}:${code}`).digest("hex");
}
