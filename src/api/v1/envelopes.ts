import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import Type, { type TSchema } from "typebox";
import { ENVELOPE_STATUSES } from "../../domain/envelope-lifecycle.js";
import { FIELD_TYPES } from "../../domain/fields.js";
import {
  RECIPIENT_AUTH_METHODS,
  RECIPIENT_ROLES,
  RECIPIENT_STATUSES,
  SIGNING_ORDERS,
} from "../../domain/recipients.js";
import { REMINDER_LIMITS } from "../../domain/reminders.js";
import { apiActionContext } from "../../http/context.js";
import {
  AUTHENTICATED_ERRORS,
  Component,
  Environment,
  errorResponses,
  IdParams,
  ListOf,
  listBody,
  Nullable,
  ObjectId,
  OneOf,
  PageQuery,
  Timestamp,
  With,
} from "../../http/schemas.js";
import {
  ENVELOPE_OF_KEY,
  type Envelope,
  type EnvelopeService,
} from "../../services/envelopes/index.js";
import type { ReminderService } from "../../services/reminders.js";

export const FieldType = Component("FieldType", OneOf(FIELD_TYPES, "What the field holds"));
export const RecipientRole = Component(
  "RecipientRole",
  OneOf(
    RECIPIENT_ROLES,
    "SIGNER signs; APPROVER approves without a signature; CC receives the signed documents",
  ),
);
export const RecipientStatus = Component(
  "RecipientStatus",
  OneOf(RECIPIENT_STATUSES, "Where the recipient is in the signing"),
);
export const RecipientAuth = Component(
  "RecipientAuth",
  OneOf(RECIPIENT_AUTH_METHODS, "How the recipient proves who they are before signing"),
);
export const EnvelopeStatus = Component(
  "EnvelopeStatus",
  OneOf(ENVELOPE_STATUSES, "Where the envelope is in its life"),
);
export const Channel = Component(
  "Channel",
  OneOf(["email", "sms"] as const, "How a message reaches a recipient"),
);
const SigningOrder = Component(
  "SigningOrder",
  OneOf(SIGNING_ORDERS, "parallel: every recipient at once; sequential: by increasing order"),
);

const FieldInput = Component(
  "FieldInput",
  Type.Object(
    {
      type: FieldType,
      documentId: Type.String({ description: "One of the envelope's documentIds" }),
      page: Type.Integer({ minimum: 1, description: "1-based page number" }),
      x: Type.Number({ minimum: 0, description: "Points from the page's left edge" }),
      y: Type.Number({ minimum: 0, description: "Points from the page's top edge" }),
      width: Type.Number({ minimum: 1 }),
      height: Type.Number({ minimum: 1 }),
      required: Type.Optional(Type.Boolean({ default: true })),
      label: Type.Optional(Type.String({ maxLength: 200 })),
    },
    { additionalProperties: false, description: "A field a recipient fills in or signs" },
  ),
);

const REDIRECT_URL_RULES =
  "an absolute https: URL (http: too in the test environment), without a user name or password, at most 2000 characters; otherwise 422 redirect_url_invalid";

const RecipientInput = Component(
  "RecipientInput",
  Type.Object(
    {
      email: Type.String({ format: "email", maxLength: 254 }),
      name: Type.String({ minLength: 1, maxLength: 200 }),
      role: RecipientRole,
      order: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 100,
          description:
            "Sequential signing: recipients act by increasing order; equal orders act in parallel",
        }),
      ),
      phone: Type.Optional(
        Type.String({ pattern: "^\\+[1-9][0-9]{6,14}$", description: "E.164, e.g. +33612345678" }),
      ),
      auth: Type.Optional(With(RecipientAuth, { description: "Default none" })),
      locale: Type.Optional(
        Type.String({ pattern: "^[a-z]{2,3}(-[A-Za-z]{2,4})?$", description: "e.g. fr, en, tr" }),
      ),
      channels: Type.Optional(
        Type.Array(Channel, {
          minItems: 1,
          maxItems: 2,
          uniqueItems: true,
          description:
            'How the invitation and reminders reach them; default ["email"]. sms needs a phone.',
        }),
      ),
      fields: Type.Optional(Type.Array(FieldInput, { maxItems: 100 })),
      redirectUrl: Type.Optional(
        Type.String({
          description: `Where the signing page sends this recipient after they sign or decline, instead of the envelope's redirectUrl: ${REDIRECT_URL_RULES}`,
        }),
      ),
    },
    { additionalProperties: false, description: "Someone the envelope is sent to" },
  ),
);

export const ReminderPolicy = Component(
  "ReminderPolicy",
  Type.Object(
    {
      firstAfterDays: Type.Integer({
        minimum: REMINDER_LIMITS.days.min,
        maximum: REMINDER_LIMITS.days.max,
        description: "Days after the invitation",
      }),
      everyDays: Type.Integer({
        minimum: REMINDER_LIMITS.days.min,
        maximum: REMINDER_LIMITS.days.max,
        description: "Days between reminders after the first",
      }),
      max: Type.Integer({
        minimum: REMINDER_LIMITS.max.min,
        maximum: REMINDER_LIMITS.max.max,
        description: "Automatic reminders per recipient at most",
      }),
    },
    {
      additionalProperties: false,
      description: "When recipients who have not acted yet are reminded by email",
    },
  ),
);

const envelopeInputProperties = {
  subject: Type.String({ minLength: 1, maxLength: 255 }),
  message: Type.Optional(Nullable(Type.String({ maxLength: 10_000 }))),
  documentIds: Type.Array(Type.String(), { maxItems: 20 }),
  recipients: Type.Array(RecipientInput, { maxItems: 50 }),
  signingOrder: Type.Optional(With(SigningOrder, { description: "Default parallel" })),
  expiresAt: Type.Optional(
    Nullable(
      Type.String({
        format: "date-time",
        description:
          "When the envelope expires if not finished; unset, the account's expiresAfterDays (30 by default) after sending",
      }),
    ),
  ),
  reminders: Type.Optional(
    Nullable(
      With(ReminderPolicy, {
        description: "Absent: the account's default reminders; null: no automatic reminders",
      }),
    ),
  ),
  metadata: Type.Optional(
    Type.Unsafe<Record<string, string>>({
      type: "object",
      additionalProperties: { type: "string", maxLength: 500 },
      maxProperties: 50,
      description: "Your own keys (up to 40 characters) and string values, returned as they are",
    }),
  ),
  redirectUrl: Type.Optional(
    Nullable(
      Type.String({
        description: `Where the signing page sends recipients after they sign or decline (with ?event=signed|declined&envelopeId=…&recipientId=… added), unless they have their own: ${REDIRECT_URL_RULES}. null: none`,
      }),
    ),
  ),
};

const CreateEnvelope = Component(
  "CreateEnvelopeRequest",
  Type.Object(envelopeInputProperties, {
    additionalProperties: false,
    description: "A DRAFT envelope: its documents, its recipients and how they sign",
  }),
);
const PatchEnvelope = Component(
  "UpdateEnvelopeRequest",
  Type.Object(
    {
      subject: Type.Optional(envelopeInputProperties.subject),
      message: envelopeInputProperties.message,
      documentIds: Type.Optional(envelopeInputProperties.documentIds),
      recipients: Type.Optional(envelopeInputProperties.recipients),
      signingOrder: envelopeInputProperties.signingOrder,
      expiresAt: envelopeInputProperties.expiresAt,
      reminders: envelopeInputProperties.reminders,
      metadata: envelopeInputProperties.metadata,
      redirectUrl: envelopeInputProperties.redirectUrl,
    },
    {
      additionalProperties: false,
      description: "Any create field; each given one replaces the stored one",
    },
  ),
);

export const FieldObject = Component(
  "Field",
  Type.Object(
    {
      id: ObjectId("fld"),
      type: FieldType,
      documentId: ObjectId("doc"),
      page: Type.Integer(),
      x: Type.Number(),
      y: Type.Number(),
      width: Type.Number(),
      height: Type.Number(),
      required: Type.Boolean(),
      label: Nullable(Type.String()),
      value: Nullable(Type.String()),
      autoPlaced: Type.Boolean({
        description: "Placed by Certyneo for a signer who had no signature field",
      }),
    },
    { description: "A place on a page where a recipient signs or fills in a value" },
  ),
);

const RecipientObject = Component(
  "Recipient",
  Type.Object(
    {
      id: ObjectId("rcp"),
      email: Type.String(),
      name: Type.String(),
      role: RecipientRole,
      order: Type.Integer(),
      status: RecipientStatus,
      auth: RecipientAuth,
      phone: Nullable(Type.String()),
      locale: Nullable(Type.String()),
      channels: Type.Array(Channel),
      signUrl: Nullable(
        Type.String({
          description: "The recipient's signing page; for signers and approvers once sent",
        }),
      ),
      signingToken: Nullable(
        Type.String({
          description:
            "The token in signUrl, for the signer API (/api/v1/signing/{token}) if you build your own signing page; null when signUrl is",
        }),
      ),
      invitedAt: Nullable(Timestamp),
      viewedAt: Nullable(Timestamp),
      signedAt: Nullable(Timestamp),
      declinedAt: Nullable(Timestamp),
      declineReason: Nullable(Type.String()),
      remindersSent: Type.Integer({ description: "Automatic reminders sent so far" }),
      lastRemindedAt: Nullable(Timestamp),
      nextReminderAt: Nullable(
        Type.String({ format: "date-time", description: "While it is their turn" }),
      ),
      redirectUrl: Nullable(
        Type.String({
          description:
            "Where the signing page sends them after they act, as given; null: the envelope's redirectUrl applies",
        }),
      ),
      fields: Type.Array(FieldObject),
    },
    { description: "Someone the envelope is sent to, and how far they are" },
  ),
);

export const EnvelopeObject = Component(
  "Envelope",
  Type.Object(
    {
      id: ObjectId("env"),
      object: Type.Literal("envelope"),
      status: EnvelopeStatus,
      subject: Type.String(),
      message: Nullable(Type.String()),
      environment: Environment,
      signingOrder: SigningOrder,
      documents: Type.Array(
        Component(
          "EnvelopeDocument",
          Type.Object(
            {
              id: ObjectId("doc"),
              name: Type.String(),
              pages: Type.Integer(),
              sha256: Type.String({ description: "SHA-256 of the original bytes, hex" }),
            },
            { description: "A document of an envelope" },
          ),
        ),
      ),
      recipients: Type.Array(RecipientObject),
      metadata: Type.Unsafe<Record<string, string>>({
        type: "object",
        additionalProperties: { type: "string" },
      }),
      redirectUrl: Nullable(
        Type.String({
          description:
            "Where the signing page sends recipients after they act, unless they have their own",
        }),
      ),
      expiresAt: Nullable(Timestamp),
      reminders: Nullable(ReminderPolicy),
      createdAt: Timestamp,
      updatedAt: Timestamp,
      sentAt: Nullable(Timestamp),
      completedAt: Nullable(Timestamp),
      declinedAt: Nullable(Timestamp),
      voidedAt: Nullable(Timestamp),
      voidReason: Nullable(Type.String()),
      expiredAt: Nullable(Timestamp),
      sealedAt: Nullable(
        Type.String({
          format: "date-time",
          description:
            "When the signed PDFs were made; a completed envelope is sealed within seconds",
        }),
      ),
      sealingError: Nullable(
        Type.String({
          description:
            "Why sealing was given up (the operator is told and can retry it); otherwise null",
        }),
      ),
    },
    { description: "An envelope: documents sent to recipients for signature" },
  ),
);

/** The envelope as the API shows it, marked `object: "envelope"` (added to it: a copy costs more). */
export function serializeEnvelope(envelope: Envelope) {
  return Object.assign(envelope, { object: "envelope" as const });
}

const ListQuery = Type.Object(
  {
    ...PageQuery.properties,
    status: Type.Optional(With(EnvelopeStatus, { description: "Only envelopes in this status" })),
    q: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          "Only envelopes whose subject, or a recipient's name or email, contains this text (any case)",
      }),
    ),
  },
  { additionalProperties: false },
);

const DeleteBody = Component(
  "DeleteEnvelopeRequest",
  Type.Object(
    {
      reason: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 1000,
          description: "Why a sent envelope is voided",
        }),
      ),
    },
    { additionalProperties: false },
  ),
);

const Deleted = Component(
  "DeletedEnvelope",
  Type.Object(
    { id: ObjectId("env"), object: Type.Literal("envelope"), deleted: Type.Literal(true) },
    { description: "A DRAFT envelope, deleted" },
  ),
);

const tags = ["Envelopes"];

export const envelopesRoutes: FastifyPluginAsyncTypebox<{
  envelopes: EnvelopeService;
  reminders: ReminderService;
}> = async (app, { envelopes, reminders }) => {
  app.post(
    "/envelopes",
    {
      schema: {
        tags,
        operationId: "createEnvelope",
        summary: "Create an envelope (DRAFT)",
        description:
          "Only subject, documentIds and recipients[].email/name/role are required. A signer without a signature field gets one placed automatically on the last page of the first document.",
        body: CreateEnvelope,
        response: {
          201: EnvelopeObject,
          ...errorResponses(...AUTHENTICATED_ERRORS, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const envelope = await envelopes.create(
        request.auth.scope,
        request.body,
        apiActionContext(request),
      );
      return reply.code(201).send(serializeEnvelope(envelope));
    },
  );

  app.get(
    "/envelopes",
    {
      schema: {
        tags,
        operationId: "listEnvelopes",
        summary: "List envelopes",
        description:
          "The envelopes of the key's environment, newest first, a page at a time (limit, after); status filters them.",
        querystring: ListQuery,
        response: { 200: ListOf(EnvelopeObject), ...errorResponses(...AUTHENTICATED_ERRORS) },
      },
    },
    async (request) => {
      const page = await envelopes.list(request.auth.scope, request.query);
      return listBody(page, serializeEnvelope);
    },
  );

  app.get(
    "/envelopes/:id",
    {
      schema: {
        tags,
        operationId: "getEnvelope",
        summary: "Fetch an envelope",
        description:
          "The envelope with its documents, each recipient's progress (and signUrl once sent) and their fields.",
        params: IdParams,
        response: { 200: EnvelopeObject, ...errorResponses(...AUTHENTICATED_ERRORS, 404) },
      },
      config: {
        keyedRead: {
          read: ENVELOPE_OF_KEY,
          param: "id",
          knows: (id) => envelopes.keptRevision(id),
        },
      },
    },
    async (request) =>
      serializeEnvelope(
        request.keyedRead === undefined
          ? await envelopes.get(request.auth.scope, request.params.id)
          : await envelopes.fromKeyedRead(request.auth.scope, request.params.id, request.keyedRead),
      ),
  );

  app.patch(
    "/envelopes/:id",
    {
      schema: {
        tags,
        operationId: "updateEnvelope",
        summary: "Update a DRAFT envelope",
        description:
          "Each given top-level field replaces the stored one. Only a DRAFT can change: otherwise 409 envelope_not_draft.",
        params: IdParams,
        body: PatchEnvelope,
        response: {
          200: EnvelopeObject,
          ...errorResponses(...AUTHENTICATED_ERRORS, 404, 409, 413, 415, 422),
        },
      },
    },
    async (request) =>
      serializeEnvelope(
        await envelopes.update(
          request.auth.scope,
          request.params.id,
          request.body,
          apiActionContext(request),
        ),
      ),
  );

  app.delete(
    "/envelopes/:id",
    {
      schema: {
        tags,
        operationId: "deleteEnvelope",
        summary: "Delete a draft, or void a sent envelope",
        description:
          "A DRAFT is deleted. A SENT envelope becomes VOIDED (with the optional reason): its links stop working and its recipients are told. A finished envelope answers 409 envelope_finished.",
        params: IdParams,
        body: DeleteBody,
        response: {
          200: Type.Union([Deleted, EnvelopeObject] as TSchema[], {
            description: "The draft, deleted; or the sent envelope, VOIDED",
          }),
          ...errorResponses(...AUTHENTICATED_ERRORS, 404, 409),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const result = await envelopes.delete(
        request.auth.scope,
        id,
        request.body.reason,
        apiActionContext(request),
      );
      return result.deleted
        ? { id, object: "envelope" as const, deleted: true as const }
        : serializeEnvelope(result.envelope);
    },
  );

  app.post(
    "/envelopes/:id/send",
    {
      schema: {
        tags,
        operationId: "sendEnvelope",
        summary: "Send a DRAFT envelope",
        description:
          "Checks it (a document, a signer, fields on their pages, a phone for sms_otp), moves it to SENT, invites the recipients whose turn it is, and returns it with every signer's and approver's signUrl. A second send is 409 envelope_not_draft.",
        params: IdParams,
        response: {
          200: EnvelopeObject,
          ...errorResponses(...AUTHENTICATED_ERRORS, 404, 409, 422),
        },
      },
    },
    async (request) =>
      serializeEnvelope(
        await envelopes.send(request.auth.scope, request.params.id, apiActionContext(request)),
      ),
  );

  app.post(
    "/envelopes/:id/remind",
    {
      schema: {
        tags,
        operationId: "remindEnvelope",
        summary: "Remind the recipients whose turn it is",
        description:
          "Emails a reminder now to every signer and approver whose turn it is and who has not acted, except those invited or reminded within the last hour (409 reminder_too_soon when that leaves nobody). Does not use up an automatic reminder. 409 unless the envelope is SENT.",
        params: IdParams,
        response: {
          200: EnvelopeObject,
          ...errorResponses(...AUTHENTICATED_ERRORS, 404, 409),
        },
      },
    },
    async (request) => {
      await reminders.remindNow(request.auth.scope, request.params.id, apiActionContext(request));
      return serializeEnvelope(await envelopes.get(request.auth.scope, request.params.id));
    },
  );
};
