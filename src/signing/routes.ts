import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { consentText, recipientContext } from "../api/signing.js";
import { CertyneoError, RateLimitedError } from "../domain/errors.js";
import { pageHeaders } from "../http/security-headers.js";
import type { SealingService } from "../services/sealing/index.js";
import type { SigningService } from "../services/signing/index.js";
import { VERIFY_PATH } from "../verify/page.js";
import { registerSigningAssets } from "./assets.js";
import { type MessageKey, resolveLocale, translate } from "./i18n.js";
import { messagePage, signingPage } from "./page.js";

const ENDED: Record<string, MessageKey> = {
  envelope_completed: "completed",
  envelope_declined: "declined",
  envelope_voided: "voided",
  envelope_expired: "expired",
};

/**
 * An allowed framing origin as browsers name a parent (lower case, no default port), for the
 * page's `postMessage`; a wildcard entry (`https://*.example.com`) as it is, in lower case.
 */
function parentOrigin(entry: string): string {
  if (entry.includes("*")) return entry.toLowerCase();
  try {
    return new URL(entry).origin;
  } catch {
    return entry;
  }
}

/** Whether a completed envelope's documents are sealed yet, or failed to be. */
async function sealingState(
  sealing: Pick<SealingService, "ensureSealed">,
  session: Awaited<ReturnType<SigningService["resolve"]>>,
): Promise<"sealed" | "sealing" | "failed"> {
  try {
    await sealing.ensureSealed(session.scope, session.envelope.id);
    return "sealed";
  } catch (error) {
    if (!(error instanceof CertyneoError)) throw error;
    if (error.code === "envelope_sealing_failed") return "failed";
    if (error.code === "envelope_not_completed") return "sealing";
    throw error;
  }
}

/** `GET /sign/{token}`: the page a recipient opens from their invitation. */
export function registerSigningPages(
  app: FastifyInstance,
  options: {
    signing: SigningService;
    sealing: Pick<SealingService, "ensureSealed">;
    frameAncestors: readonly string[];
  },
): void {
  registerSigningAssets(app);
  app.get<{ Params: { token: string } }>(
    "/sign/:token",
    { schema: { hide: true } },
    async (request, reply) => {
      reply.headers(pageHeaders(options.frameAncestors)).type("text/html; charset=utf-8");
      const browserLocale = resolveLocale(null, request.headers["accept-language"]);
      try {
        await options.signing.throttle(request.params.token, request.ip, "read");
      } catch (error) {
        if (error instanceof RateLimitedError) reply.header("Retry-After", error.retryAfterSeconds);
        throw error;
      }
      const parentOrigins = options.frameAncestors.map(parentOrigin);
      try {
        const session = await options.signing.resolve(request.params.token);
        const locale = resolveLocale(session.recipient.locale, request.headers["accept-language"]);
        try {
          const view = await options.signing.view(
            request.params.token,
            recipientContext(request, session.recipient.id),
          );
          return signingPage({
            token: request.params.token,
            locale,
            consentText: consentText(locale, view.recipient.role),
            view,
            parentOrigins,
          });
        } catch (error) {
          const ended = error instanceof CertyneoError ? ENDED[error.code] : undefined;
          if (!ended) throw error;
          // A completed envelope's link still fetches the signed copy and its audit trail, once
          // they are sealed; until then the page says so and looks again (public/sign/ended.js).
          const sealing =
            ended === "completed" ? await sealingState(options.sealing, session) : undefined;
          const message =
            sealing === "sealing"
              ? "completedSealing"
              : sealing === "failed"
                ? "completedSealingFailed"
                : ended;
          const api = `/api/v1/signing/${request.params.token}`;
          const links =
            sealing === "sealed"
              ? [
                  {
                    label: translate(locale, "downloadSigned"),
                    href: `${api}/signed-document`,
                    download: true,
                  },
                  {
                    label: translate(locale, "downloadAuditTrail"),
                    href: `${api}/audit-trail`,
                    download: true,
                  },
                  {
                    label: translate(locale, "verifyDocument"),
                    href: `${VERIFY_PATH}?lang=${locale}`,
                  },
                ]
              : [];
          // The sender's colours, set by one element that only this answer's nonce allows.
          const styleNonce = randomBytes(16).toString("base64url");
          const sender = { ...(await options.signing.sender(session)), styleNonce };
          reply.headers(pageHeaders(options.frameAncestors, undefined, styleNonce));
          return reply.code(410).send(
            messagePage(locale, translate(locale, message), {
              links,
              sender,
              parentOrigins,
              parentMessage: {
                type: "certyneo:loaded",
                envelopeId: session.envelope.id,
                recipientId: session.recipient.id,
                canAct: false,
                status: session.recipient.status,
                // What ended it, which the row may not say yet (an expiry date passed).
                envelopeStatus: ended.toUpperCase(),
              },
              ...(sealing === "sealing" && { checkAgain: translate(locale, "checkAgain") }),
            }),
          );
        }
      } catch (error) {
        if (error instanceof CertyneoError && error.code === "signing_link_invalid") {
          return reply.code(404).send(
            messagePage(browserLocale, translate(browserLocale, "invalidLink"), {
              parentOrigins,
              parentMessage: {
                type: "certyneo:error",
                code: error.code,
                envelopeId: null,
                recipientId: null,
              },
            }),
          );
        }
        throw error;
      }
    },
  );
}
