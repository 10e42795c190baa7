import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import { registerDashboard } from "./api/dashboard.js";
import { registerGuides } from "./api/guides.js";
import { healthRoutes } from "./api/health.js";
import { registerMetrics } from "./api/metrics.js";
import { pkiRoutes } from "./api/pki.js";
import { sessionRoutes } from "./api/session.js";
import { signingRoutes } from "./api/signing.js";
import { brandingRoutes } from "./api/v1/branding.js";
import { documentsRoutes } from "./api/v1/documents.js";
import { envelopesRoutes } from "./api/v1/envelopes.js";
import { eventsRoutes } from "./api/v1/events.js";
import { keysRoutes } from "./api/v1/keys.js";
import { notificationsRoutes } from "./api/v1/notifications.js";
import { sandboxRoutes } from "./api/v1/sandbox.js";
import { settingsRoutes } from "./api/v1/settings.js";
import { signedDocumentRoutes } from "./api/v1/signed-documents.js";
import { usersRoutes } from "./api/v1/users.js";
import { webhooksRoutes } from "./api/v1/webhooks.js";
import { verifyRoutes } from "./api/verify.js";
import type { Config } from "./config.js";
import type { Database } from "./db/database.js";
import { authenticate, type Caller } from "./http/auth.js";
import { registerClosingConnections } from "./http/closing-connections.js";
import { handleClientError, handleFrameworkError, registerErrorHandlers } from "./http/errors.js";
import { registerIdempotency } from "./http/idempotency.js";
import { registerEmptyBodyDefault, registerJsonBodyParser } from "./http/json-body.js";
import { registerNulGuard } from "./http/nul-guard.js";
import { registerOpenApi, registerOpenApiRoutes } from "./http/openapi.js";
import { generateRequestId, registerRequestIdHeader } from "./http/request-id.js";
import { registerSecurityHeaders } from "./http/security-headers.js";
import { createValidatorCompiler } from "./http/validation.js";
import type { Metrics } from "./metrics.js";
import type { PlatformPki } from "./pki/platform-pki.js";
import type { RateLimiter } from "./rate-limit/limiter.js";
import type { AccountSettingsService } from "./services/account-settings.js";
import type { AccountService } from "./services/accounts.js";
import type { ApiKeyService } from "./services/api-keys.js";
import type { AuditTrailService } from "./services/audit-trail.js";
import type { BrandingService } from "./services/branding.js";
import type { DocumentService } from "./services/documents.js";
import type { EnvelopeService } from "./services/envelopes/index.js";
import type { EventLog } from "./services/event-log.js";
import type { IdempotencyStore } from "./services/idempotency.js";
import type { NotificationService } from "./services/notifications/index.js";
import type { ReminderService } from "./services/reminders.js";
import type { SandboxService } from "./services/sandbox.js";
import type { SealingService } from "./services/sealing/index.js";
import type { SessionService } from "./services/sessions.js";
import type { SignInMail } from "./services/sign-in-mail.js";
import type { SigningService } from "./services/signing/index.js";
import type { UserService } from "./services/users.js";
import type { VerificationService } from "./services/verification.js";
import type { WebhookService } from "./services/webhooks/index.js";
import { registerSigningPages } from "./signing/routes.js";

export interface ServerParts {
  config: Config;
  database: Database;
  keys: ApiKeyService;
  sessions: SessionService;
  users: UserService;
  signInMail: SignInMail;
  accounts: AccountService;
  branding: BrandingService;
  documents: DocumentService;
  envelopes: EnvelopeService;
  events: EventLog;
  idempotency: IdempotencyStore;
  signing: SigningService;
  verification: VerificationService;
  metrics: Metrics | undefined;
  sandbox: SandboxService;
  sealing: SealingService;
  auditTrails: AuditTrailService;
  webhooks: WebhookService;
  reminders: ReminderService;
  settings: AccountSettingsService;
  notifications: NotificationService;
  limiter: RateLimiter;
  /** The platform's certificates: the root's CRL and certificate are published. */
  pki(): Promise<PlatformPki>;
}

/** Paths whose last segment is a bearer token must not reach the logs whole. */
const TOKEN_IN_PATH = /\/(sign|signing)\/[^/?]+/g;

/** `url` as it may be logged: its signing tokens redacted (a global replace only where one may be). */
function loggablePath(url: string): string {
  return url.includes("/sign") ? url.replace(TOKEN_IN_PATH, "/$1/[redacted]") : url;
}

export interface RegisteredRoute {
  method: string;
  url: string;
  hidden: boolean;
}

const routesOf = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route the server registered, including those hidden from the OpenAPI document. */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return routesOf.get(app) ?? [];
}

/**
 * One log line per request, once answered: method, path (signing tokens redacted), status,
 * duration and client address; the request id comes with the request's logger.
 */
function registerRequestLog(app: FastifyInstance): void {
  app.addHook("onResponse", (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        path: loggablePath(request.url),
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        ip: request.ip,
      },
      "request",
    );
    done();
  });
}

/**
 * Where the log goes: stdout as JSON lines (for a file, a pipe or a collector), or, for a person
 * at a terminal, pino-pretty's coloured lines, written in this thread as they come.
 */
async function logStream(
  config: ServerParts["config"],
): Promise<{ stream?: NodeJS.WritableStream }> {
  const pretty =
    config.logFormat === "pretty" || (config.logFormat === "auto" && process.stdout.isTTY === true);
  if (!pretty) return {};
  const { PinoPretty } = await import("pino-pretty");
  return {
    stream: PinoPretty({
      sync: true,
      colorize: process.stdout.isTTY === true,
      translateTime: "SYS:HH:MM:ss.l",
      // A request on one line: "request GET /api/v1/keys 200 3.1 ms 127.0.0.1 req_…".
      messageFormat:
        "{msg}{if method} {method} {path} {status} {durationMs} ms {ip}{end}{if requestId} {requestId}{end}",
      ignore: "pid,hostname,method,path,status,durationMs,ip,requestId",
    }),
  };
}

export async function buildServer(parts: ServerParts): Promise<FastifyInstance> {
  const { config } = parts;
  const app = Fastify({
    logger: {
      level: config.logLevel,
      ...(await logStream(config)),
      serializers: {
        req: (request) => ({
          method: request.method,
          url: loggablePath(request.url),
          remoteAddress: request.ip,
        }),
      },
    },
    genReqId: generateRequestId,
    // One line per request, written when it is answered (registerRequestLog), not two.
    logController: new LogController({
      requestIdLogLabel: "requestId",
      disableRequestLogging: true,
    }),
    requestIdHeader: false,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
    // Requests refused before any route runs still answer in the documented error shape.
    frameworkErrors: handleFrameworkError,
    clientErrorHandler: handleClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  const routes: RegisteredRoute[] = [];
  routesOf.set(app, routes);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) {
      routes.push({ method, url: route.url, hidden: route.schema?.hide === true });
    }
  });
  app.setValidatorCompiler(createValidatorCompiler());
  registerRequestIdHeader(app);
  registerRequestLog(app);
  registerClosingConnections(app);
  registerSecurityHeaders(app);
  registerErrorHandlers(app);
  registerJsonBodyParser(app);
  registerEmptyBodyDefault(app);
  registerNulGuard(app);
  await registerOpenApi(app, config.publicUrl);

  if (parts.metrics && config.metricsToken)
    registerMetrics(app, parts.metrics, config.metricsToken);
  await app.register(healthRoutes, { database: parts.database });
  await app.register(pkiRoutes, { pki: parts.pki });
  await app.register(verifyRoutes, { verification: parts.verification });
  await registerOpenApiRoutes(app);
  registerGuides(app);
  registerDashboard(app);
  await app.register(signingRoutes, {
    prefix: "/api/v1",
    signing: parts.signing,
    sealing: parts.sealing,
    auditTrails: parts.auditTrails,
  });
  registerSigningPages(app, {
    signing: parts.signing,
    sealing: parts.sealing,
    frameAncestors: config.frameAncestors,
  });
  await app.register(sessionRoutes, {
    prefix: "/api/v1",
    users: parts.users,
    sessions: parts.sessions,
    signInMail: parts.signInMail,
    limiter: parts.limiter,
    secureCookies: config.publicUrl.startsWith("https:"),
  });
  await app.register(
    async (api) => {
      api.decorateRequest("auth", null as unknown as Caller);
      api.decorateRequest("keyedRead", undefined);
      api.addHook(
        "onRequest",
        authenticate(parts.keys, parts.sessions, parts.limiter, config.rateLimit),
      );
      registerIdempotency(api, parts.idempotency);
      await api.register(keysRoutes, { keys: parts.keys });
      await api.register(usersRoutes, {
        users: parts.users,
        signInMail: parts.signInMail,
      });
      await api.register(documentsRoutes, { documents: parts.documents });
      await api.register(envelopesRoutes, {
        envelopes: parts.envelopes,
        reminders: parts.reminders,
      });
      await api.register(settingsRoutes, { settings: parts.settings });
      await api.register(sandboxRoutes, { sandbox: parts.sandbox });
      await api.register(brandingRoutes, { branding: parts.branding });
      await api.register(notificationsRoutes, { notifications: parts.notifications });
      await api.register(eventsRoutes, {
        events: parts.events,
        envelopes: parts.envelopes,
        db: parts.database.db,
      });
      await api.register(webhooksRoutes, { webhooks: parts.webhooks });
      await api.register(signedDocumentRoutes, {
        sealing: parts.sealing,
        auditTrails: parts.auditTrails,
      });
    },
    { prefix: "/api/v1" },
  );
  return app;
}
