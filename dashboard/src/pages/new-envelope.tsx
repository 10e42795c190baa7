import type {
  Document,
  FieldInput,
  FieldType,
  RecipientAuth,
  RecipientInput,
  RecipientRole,
  SigningOrder,
} from "@certyneo/sdk";
import { useEffect, useRef, useState } from "preact/hooks";
import { useSignedIn } from "../api.js";
import { LOCALES, type MessageKey, useI18n } from "../i18n.js";
import { pdfjs } from "../pdf.js";
import { navigate } from "../router.js";
import { ErrorNotice, Notice, PageHeader, TextField, useAction } from "../ui.js";

interface Draft {
  key: number;
  name: string;
  email: string;
  role: RecipientRole;
  auth: RecipientAuth;
  phone: string;
  locale: string;
}

interface PlacedField extends FieldInput {
  key: number;
  /** The recipient (a Draft's key) it belongs to. */
  recipient: number;
}

const FIELD_TYPES: FieldType[] = ["signature", "initials", "date", "text", "checkbox"];
/** A new field's size in points, by type. */
const FIELD_SIZES: Record<FieldType, { width: number; height: number }> = {
  signature: { width: 170, height: 60 },
  initials: { width: 80, height: 40 },
  date: { width: 120, height: 24 },
  text: { width: 160, height: 24 },
  checkbox: { width: 18, height: 18 },
};
const fieldKey = (type: FieldType) =>
  `field${type[0]!.toUpperCase()}${type.slice(1)}` as MessageKey;
/** Recipients' colours on the pages, so that whose field is whose shows at a glance. */
const COLOURS = ["#1746c2", "#b4321d", "#1c7a3e", "#8a3fb8", "#a05a00", "#0e7490"];

let nextKey = 1;
const newRecipient = (): Draft => ({
  key: nextKey++,
  name: "",
  email: "",
  role: "SIGNER",
  auth: "none",
  phone: "",
  locale: "",
});

/**
 * A new envelope: documents uploaded, recipients in parallel or in order, fields placed on the
 * rendered pages (dragged from the palette, or chosen then clicked where they go), then sent.
 */
export function NewEnvelopePage() {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const [subject, setSubject] = useState("");
  const [message, setMessage] = useState("");
  const [documents, setDocuments] = useState<Document[]>([]);
  const [recipients, setRecipients] = useState<Draft[]>([newRecipient()]);
  const [order, setOrder] = useState<SigningOrder>("parallel");
  const [fields, setFields] = useState<PlacedField[]>([]);
  const [activeRecipient, setActiveRecipient] = useState<number>(recipients[0]!.key);
  const [armed, setArmed] = useState<FieldType | null>(null);
  const upload = useAction();
  const submit = useAction();

  const signers = recipients.filter((r) => r.role === "SIGNER");
  useEffect(() => {
    if (!signers.some((r) => r.key === activeRecipient) && signers[0])
      setActiveRecipient(signers[0].key);
  }, [signers, activeRecipient]);

  const update = (key: number, patch: Partial<Draft>) =>
    setRecipients((all) => all.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  const place = (documentId: string, page: number, x: number, y: number, type: FieldType) => {
    const size = FIELD_SIZES[type];
    const document = documents.find((d) => d.id === documentId)!;
    const bounds = document.pageSizes[page - 1]!;
    setFields((all) => [
      ...all,
      {
        key: nextKey++,
        recipient: activeRecipient,
        type,
        documentId,
        page,
        // Centred where dropped, kept inside the page.
        x: clamp(x - size.width / 2, 0, bounds.width - size.width),
        y: clamp(y - size.height / 2, 0, bounds.height - size.height),
        ...size,
        required: type !== "checkbox",
      },
    ]);
  };

  const build = () => ({
    subject: subject.trim(),
    message: message.trim() || null,
    documentIds: documents.map((d) => d.id),
    signingOrder: order,
    recipients: recipients.map(
      (r, index): RecipientInput => ({
        name: r.name.trim(),
        email: r.email.trim(),
        role: r.role,
        ...(order === "sequential" && { order: index + 1 }),
        ...(r.auth !== "none" && { auth: r.auth }),
        ...(r.phone.trim() && { phone: r.phone.trim() }),
        ...(r.locale && { locale: r.locale }),
        ...(r.role === "SIGNER" && {
          fields: fields
            .filter((f) => f.recipient === r.key)
            .map(({ key: _key, recipient: _recipient, ...field }) => ({
              ...field,
              x: round(field.x),
              y: round(field.y),
            })),
        }),
      }),
    ),
  });

  const save = async (andSend: boolean) => {
    const envelope = await submit.run(async () => {
      const created = await api.envelopes.create(build());
      return andSend ? api.envelopes.send(created.id) : created;
    });
    if (envelope) navigate(`/envelopes/${envelope.id}`);
  };

  return (
    <>
      <PageHeader title={t("navNewEnvelope")} />
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void save(true);
        }}
      >
        <section class="card" aria-labelledby="step-documents">
          <h2 id="step-documents">1. {t("documents")}</h2>
          <TextField
            id="subject"
            label={t("subject")}
            required
            maxLength={200}
            value={subject}
            onValue={setSubject}
          />
          <div class="field">
            <label for="message">
              {t("message")} <span class="muted">({t("optional")})</span>
            </label>
            <textarea
              id="message"
              rows={3}
              maxLength={5000}
              value={message}
              onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)}
            />
          </div>
          <div class="field">
            <label for="files">{t("uploadPdfs")}</label>
            <input
              id="files"
              type="file"
              accept="application/pdf,.pdf"
              multiple
              onChange={async (event) => {
                const input = event.target as HTMLInputElement;
                const files = [...(input.files ?? [])];
                input.value = "";
                await upload.run(async () => {
                  for (const file of files) {
                    const document = await api.documents.upload(file, { name: file.name });
                    setDocuments((all) => [...all, document]);
                  }
                });
              }}
            />
          </div>
          {upload.pending && <p aria-live="polite">{t("uploading")}</p>}
          <ErrorNotice error={upload.error} />
          {documents.length > 0 && (
            <ul class="plain-list" aria-label={t("documents")}>
              {documents.map((d) => (
                <li key={d.id}>
                  {d.name}{" "}
                  <span class="muted">
                    · {d.pages === 1 ? t("onePage") : t("pages", { count: d.pages })}
                  </span>{" "}
                  <button
                    type="button"
                    class="link-button"
                    onClick={() => {
                      setDocuments((all) => all.filter((x) => x.id !== d.id));
                      setFields((all) => all.filter((f) => f.documentId !== d.id));
                    }}
                  >
                    {t("remove")}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section class="card" aria-labelledby="step-recipients">
          <h2 id="step-recipients">2. {t("recipients")}</h2>
          <fieldset class="radio-row">
            <legend>{t("signingOrder")}</legend>
            {(["parallel", "sequential"] as const).map((value) => (
              <label key={value} class="checkbox">
                <input
                  type="radio"
                  name="signing-order"
                  checked={order === value}
                  onChange={() => setOrder(value)}
                />
                {t(value)}
              </label>
            ))}
          </fieldset>
          <ol class="recipient-editor">
            {recipients.map((r, index) => (
              <li key={r.key} style={{ borderColor: colourOf(recipients, r.key) }}>
                <fieldset>
                  <legend>
                    {order === "sequential" ? t("order", { order: index + 1 }) : ""}{" "}
                    {t("recipientN", { n: index + 1 })}
                  </legend>
                  <div class="field-row">
                    <TextField
                      id={`r${r.key}-name`}
                      label={t("name")}
                      required
                      maxLength={200}
                      autocomplete="off"
                      value={r.name}
                      onValue={(name) => update(r.key, { name })}
                    />
                    <TextField
                      id={`r${r.key}-email`}
                      label={t("email")}
                      type="email"
                      required
                      autocomplete="off"
                      value={r.email}
                      onValue={(email) => update(r.key, { email })}
                    />
                    <div class="field">
                      <label for={`r${r.key}-role`}>{t("role")}</label>
                      <select
                        id={`r${r.key}-role`}
                        value={r.role}
                        onChange={(e) => {
                          const role = (e.target as HTMLSelectElement).value as RecipientRole;
                          update(r.key, { role });
                          if (role !== "SIGNER")
                            setFields((all) => all.filter((f) => f.recipient !== r.key));
                        }}
                      >
                        {(["SIGNER", "APPROVER", "CC"] as const).map((role) => (
                          <option key={role} value={role}>
                            {t(`role${role}`)}
                          </option>
                        ))}
                      </select>
                    </div>
                    <div class="field">
                      <label for={`r${r.key}-auth`}>{t("authentication")}</label>
                      <select
                        id={`r${r.key}-auth`}
                        value={r.auth}
                        disabled={r.role === "CC"}
                        onChange={(e) =>
                          update(r.key, {
                            auth: (e.target as HTMLSelectElement).value as RecipientAuth,
                          })
                        }
                      >
                        <option value="none">{t("authNone")}</option>
                        <option value="email_otp">{t("authEmail")}</option>
                        <option value="sms_otp">{t("authSms")}</option>
                      </select>
                    </div>
                    {r.auth === "sms_otp" && (
                      <TextField
                        id={`r${r.key}-phone`}
                        label={t("phone")}
                        type="tel"
                        required
                        placeholder="+33612345678"
                        value={r.phone}
                        onValue={(phone) => update(r.key, { phone })}
                      />
                    )}
                    <div class="field">
                      <label for={`r${r.key}-locale`}>{t("language")}</label>
                      <select
                        id={`r${r.key}-locale`}
                        value={r.locale}
                        onChange={(e) =>
                          update(r.key, { locale: (e.target as HTMLSelectElement).value })
                        }
                      >
                        <option value="">{t("browserLanguage")}</option>
                        {LOCALES.map((code) => (
                          <option key={code} value={code}>
                            {code.toUpperCase()}
                          </option>
                        ))}
                      </select>
                    </div>
                  </div>
                  {recipients.length > 1 && (
                    <button
                      type="button"
                      class="link-button"
                      onClick={() => {
                        setRecipients((all) => all.filter((x) => x.key !== r.key));
                        setFields((all) => all.filter((f) => f.recipient !== r.key));
                      }}
                    >
                      {t("removeRecipient")}
                    </button>
                  )}
                </fieldset>
              </li>
            ))}
          </ol>
          <button
            type="button"
            class="button-secondary"
            onClick={() => setRecipients((all) => [...all, newRecipient()])}
          >
            {t("addRecipient")}
          </button>
        </section>

        <section class="card" aria-labelledby="step-fields">
          <h2 id="step-fields">3. {t("fieldsTitle")}</h2>
          <p class="muted">{t("fieldsIntro")}</p>
          {documents.length === 0 || signers.length === 0 ? (
            <p class="empty">{t("fieldsNeedDocuments")}</p>
          ) : (
            <>
              <div class="palette" role="toolbar" aria-label={t("fieldsTitle")}>
                <label class="field">
                  <span>{t("fieldFor")}</span>
                  <select
                    value={activeRecipient}
                    onChange={(e) =>
                      setActiveRecipient(Number((e.target as HTMLSelectElement).value))
                    }
                  >
                    {signers.map((r) => (
                      <option key={r.key} value={r.key}>
                        {r.name || r.email || t("recipientN", { n: recipients.indexOf(r) + 1 })}
                      </option>
                    ))}
                  </select>
                </label>
                {FIELD_TYPES.map((type) => (
                  <button
                    type="button"
                    key={type}
                    class="palette-item"
                    draggable
                    aria-pressed={armed === type}
                    data-field-type={type}
                    style={{ borderColor: colourOf(recipients, activeRecipient) }}
                    onDragStart={(event) => {
                      event.dataTransfer?.setData("application/x-certyneo-field", type);
                      if (event.dataTransfer) event.dataTransfer.effectAllowed = "copy";
                    }}
                    onClick={() => setArmed(armed === type ? null : type)}
                  >
                    {t(fieldKey(type))}
                  </button>
                ))}
              </div>
              <p class="hint" aria-live="polite">
                {armed ? t("placeHint", { field: t(fieldKey(armed)) }) : t("dragHint")}
              </p>
              {documents.map((document) => (
                <DocumentPages
                  key={document.id}
                  document={document}
                  fields={fields.filter((f) => f.documentId === document.id)}
                  colour={(recipient) => colourOf(recipients, recipient)}
                  ownerName={(recipient) => {
                    const r = recipients.find((x) => x.key === recipient);
                    return r?.name || r?.email || "";
                  }}
                  onPlace={(page, x, y, type) => {
                    place(document.id, page, x, y, type ?? armed!);
                    setArmed(null);
                  }}
                  armed={armed !== null}
                  onMove={(key, x, y) =>
                    setFields((all) => all.map((f) => (f.key === key ? { ...f, x, y } : f)))
                  }
                  onRemove={(key) => setFields((all) => all.filter((f) => f.key !== key))}
                />
              ))}
            </>
          )}
        </section>

        <ErrorNotice error={submit.error} />
        <div class="form-actions sticky-actions">
          <button
            type="button"
            class="button-secondary"
            disabled={submit.pending}
            onClick={() => void save(false)}
          >
            {t("saveDraft")}
          </button>
          <button
            type="submit"
            class="button-primary"
            disabled={submit.pending || documents.length === 0}
          >
            {t("sendEnvelope")}
          </button>
        </div>
        {documents.length === 0 && <Notice kind="info">{t("fieldsNeedDocuments")}</Notice>}
      </form>
    </>
  );
}

const clamp = (value: number, min: number, max: number) => Math.max(min, Math.min(max, value));
const round = (value: number) => Math.round(value * 100) / 100;

function colourOf(recipients: Draft[], key: number): string {
  const index = recipients.findIndex((r) => r.key === key);
  return COLOURS[Math.max(index, 0) % COLOURS.length]!;
}

/**
 * A document's pages, rendered when they scroll into view, as drop targets. Coordinates are
 * converted from the screen to PDF points (the page's top-left corner as origin, as the API has).
 */
function DocumentPages(props: {
  document: Document;
  fields: PlacedField[];
  armed: boolean;
  colour: (recipient: number) => string;
  ownerName: (recipient: number) => string;
  onPlace: (page: number, x: number, y: number, type: FieldType | null) => void;
  onMove: (key: number, x: number, y: number) => void;
  onRemove: (key: number) => void;
}) {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const [pdf, setPdf] = useState<Awaited<ReturnType<typeof loadPdf>> | null>(null);
  useEffect(() => {
    let current = true;
    loadPdf(api, props.document.id).then((loaded) => current && setPdf(loaded));
    return () => {
      current = false;
    };
  }, [api, props.document.id]);
  return (
    <article class="document-pages" aria-label={props.document.name}>
      <h3>{props.document.name}</h3>
      {props.document.pageSizes.map((size, index) => {
        const page = index + 1;
        return (
          <PageCanvas
            key={page}
            pdf={pdf}
            page={page}
            size={size}
            pages={props.document.pages}
            label={`${props.document.name} — ${t("pageN", { page, pages: props.document.pages })}`}
            {...props}
            fields={props.fields.filter((f) => f.page === page)}
          />
        );
      })}
    </article>
  );
}

function loadPdf(api: ReturnType<typeof useSignedIn>["api"], id: string) {
  return Promise.all([pdfjs(), api.documents.download(id).then((d) => d.bytes())]).then(
    ([lib, data]) => lib.getDocument({ data, isEvalSupported: false }).promise,
  );
}

function PageCanvas(props: {
  pdf: { getPage(n: number): Promise<import("pdfjs-dist").PDFPageProxy> } | null;
  page: number;
  pages: number;
  size: { width: number; height: number };
  label: string;
  fields: PlacedField[];
  armed: boolean;
  colour: (recipient: number) => string;
  ownerName: (recipient: number) => string;
  onPlace: (page: number, x: number, y: number, type: FieldType | null) => void;
  onMove: (key: number, x: number, y: number) => void;
  onRemove: (key: number) => void;
}) {
  const { t } = useI18n();
  const frame = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [visible, setVisible] = useState(false);
  const [scale, setScale] = useState(1);

  useEffect(() => {
    const element = frame.current;
    if (!element) return;
    const measure = () => setScale(element.clientWidth / props.size.width);
    measure();
    const resize = new ResizeObserver(measure);
    resize.observe(element);
    const seen = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setVisible(true);
      },
      { rootMargin: "600px" },
    );
    seen.observe(element);
    return () => {
      resize.disconnect();
      seen.disconnect();
    };
  }, [props.size.width]);

  useEffect(() => {
    if (!visible || !props.pdf || !canvas.current) return;
    let task: { cancel(): void; promise: Promise<void> } | undefined;
    const target = canvas.current;
    props.pdf.getPage(props.page).then((page) => {
      const base = page.getViewport({ scale: 1 });
      const viewport = page.getViewport({
        scale: (target.clientWidth / base.width) * (window.devicePixelRatio || 1),
      });
      target.width = Math.floor(viewport.width);
      target.height = Math.floor(viewport.height);
      task = page.render({ canvas: target, viewport });
      task.promise.then(
        () => target.setAttribute("data-rendered", "true"),
        () => undefined,
      );
    });
    return () => task?.cancel();
  }, [visible, props.pdf, props.page]);

  const toPoints = (event: { clientX: number; clientY: number }) => {
    const box = frame.current!.getBoundingClientRect();
    return { x: (event.clientX - box.left) / scale, y: (event.clientY - box.top) / scale };
  };

  return (
    <div class="page-wrap">
      {/* A click places the chosen field where it lands; keyboards use the "place" button. */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the button below is the keyboard's way */}
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: the button below is the keyboard's way */}
      <div
        ref={frame}
        class={`page-frame${props.armed ? " armed" : ""}`}
        style={{ aspectRatio: `${props.size.width} / ${props.size.height}` }}
        data-page={props.page}
        onDragOver={(event) => {
          if (event.dataTransfer?.types.includes("application/x-certyneo-field"))
            event.preventDefault();
        }}
        onDrop={(event) => {
          const type = event.dataTransfer?.getData("application/x-certyneo-field") as FieldType;
          if (!type) return;
          event.preventDefault();
          const { x, y } = toPoints(event);
          props.onPlace(props.page, x, y, type);
        }}
        onClick={(event) => {
          if (!props.armed || event.target !== canvas.current) return;
          const { x, y } = toPoints(event);
          props.onPlace(props.page, x, y, null);
        }}
      >
        <canvas ref={canvas} class="page" role="img" aria-label={props.label} />
        {props.armed && (
          <button
            type="button"
            class="place-here"
            onClick={() =>
              props.onPlace(props.page, props.size.width / 2, props.size.height / 2, null)
            }
          >
            {t("placeOnPage", { page: props.page })}
          </button>
        )}
        {props.fields.map((field) => (
          <PlacedBox key={field.key} field={field} scale={scale} {...props} />
        ))}
      </div>
      <p class="page-number">{t("pageN", { page: props.page, pages: props.pages })}</p>
    </div>
  );
}

/** A placed field: moved by dragging it (pointer events, so touch works too), or removed. */
function PlacedBox(props: {
  field: PlacedField;
  scale: number;
  size: { width: number; height: number };
  colour: (recipient: number) => string;
  ownerName: (recipient: number) => string;
  onMove: (key: number, x: number, y: number) => void;
  onRemove: (key: number) => void;
}) {
  const { t } = useI18n();
  const { field, scale } = props;
  const start = useRef<{ x: number; y: number; fx: number; fy: number } | null>(null);
  const label = `${t(fieldKey(field.type))} — ${props.ownerName(field.recipient)}`;
  const moveTo = (x: number, y: number) =>
    props.onMove(
      field.key,
      clamp(x, 0, props.size.width - field.width),
      clamp(y, 0, props.size.height - field.height),
    );
  return (
    <div
      class={`placed-field placed-${field.type}`}
      style={{
        left: `${field.x * scale}px`,
        top: `${field.y * scale}px`,
        width: `${field.width * scale}px`,
        height: `${field.height * scale}px`,
        borderColor: props.colour(field.recipient),
        color: props.colour(field.recipient),
      }}
      data-field-type={field.type}
    >
      <button
        type="button"
        class="placed-handle"
        aria-roledescription={t("movableField")}
        aria-label={`${label}. ${t("moveHint")}`}
        onKeyDown={(event) => {
          const step = event.shiftKey ? 20 : 4;
          const moves: Record<string, [number, number]> = {
            ArrowLeft: [-step, 0],
            ArrowRight: [step, 0],
            ArrowUp: [0, -step],
            ArrowDown: [0, step],
          };
          const move = moves[event.key];
          if (move) {
            event.preventDefault();
            moveTo(field.x + move[0], field.y + move[1]);
          } else if (event.key === "Delete" || event.key === "Backspace") {
            event.preventDefault();
            props.onRemove(field.key);
          }
        }}
        onPointerDown={(event) => {
          (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
          start.current = { x: event.clientX, y: event.clientY, fx: field.x, fy: field.y };
        }}
        onPointerMove={(event) => {
          const from = start.current;
          if (from)
            moveTo(
              from.fx + (event.clientX - from.x) / scale,
              from.fy + (event.clientY - from.y) / scale,
            );
        }}
        onPointerUp={() => {
          start.current = null;
        }}
      >
        {field.type !== "checkbox" && <span class="placed-label">{label}</span>}
      </button>
      <button
        type="button"
        class="placed-remove"
        aria-label={`${t("removeField")}: ${label}`}
        onClick={() => props.onRemove(field.key)}
      >
        ×
      </button>
    </div>
  );
}
