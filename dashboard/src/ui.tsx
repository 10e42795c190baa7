import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { errorMessage } from "./api.js";
import { type MessageKey, useI18n } from "./i18n.js";
import { BASE, onLinkClick } from "./router.js";

export function Link(props: {
  href: string;
  children: ComponentChildren;
  class?: string;
  current?: boolean;
}) {
  return (
    <a
      href={`${BASE}${props.href}`}
      class={props.class}
      aria-current={props.current ? "page" : undefined}
      onClick={(event) => onLinkClick(event, props.href)}
    >
      {props.children}
    </a>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/** Data from the API for a page: loaded again when `deps` change, or on `reload()`. */
export function useLoad<T>(load: () => PromiseLike<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    Promise.resolve(load()).then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState({ error, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  return {
    data: state.data,
    error: state.error,
    loading: state.loading,
    reload: useCallback(() => setRound((n) => n + 1), []),
  };
}

/** Runs a change, keeping its pending state and its error for the form that made it. */
export function useAction() {
  const [pending, setPending] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setPending(true);
    setDone(false);
    setError(undefined);
    try {
      const result = await action();
      setDone(true);
      return result;
    } catch (caught) {
      setError(caught);
      return undefined;
    } finally {
      setPending(false);
    }
  }, []);
  return { pending, done, error, run, clear: () => setError(undefined) };
}

/** How a form's last change went: its error, or `success` once it succeeded. */
export function Outcome(props: { action: ReturnType<typeof useAction>; success?: string }) {
  return (
    <>
      <ErrorNotice error={props.action.error} />
      {props.success && props.action.done && <Notice kind="success">{props.success}</Notice>}
    </>
  );
}

/** A labelled input, with its hint tied to it for screen readers. */
export function TextField(props: {
  id: string;
  label: ComponentChildren;
  value: string;
  onValue: (value: string) => void;
  hint?: string;
  type?: "text" | "email" | "password" | "url" | "tel";
  required?: boolean;
  disabled?: boolean;
  minLength?: number;
  maxLength?: number;
  autocomplete?: string;
  placeholder?: string;
  class?: string;
}) {
  const { id, label, hint, onValue, class: className, ...input } = props;
  return (
    <div class={className ?? "field"}>
      <label for={id}>{label}</label>
      <input
        id={id}
        {...input}
        // Preact types each input type apart; these all take the same attributes.
        type={(props.type ?? "text") as "text"}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onInput={(e) => onValue((e.target as HTMLInputElement).value)}
      />
      {hint && (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/** A table's header row; `actions` adds the (unlabelled on screen) column of row buttons. */
export function TableHead(props: { columns: string[]; actions?: boolean }) {
  const { t } = useI18n();
  return (
    <thead>
      <tr>
        {props.columns.map((column) => (
          <th scope="col" key={column}>
            {column}
          </th>
        ))}
        {props.actions && (
          <th scope="col">
            <span class="visually-hidden">{t("actions")}</span>
          </th>
        )}
      </tr>
    </thead>
  );
}

export function Notice(props: { kind: "error" | "success" | "info"; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${props.kind}`} role={props.kind === "error" ? "alert" : "status"}>
      {props.children}
    </div>
  );
}

export function ErrorNotice(props: { error: unknown; retry?: () => void }) {
  const { t } = useI18n();
  if (props.error === undefined) return null;
  return (
    <Notice kind="error">
      {errorMessage(props.error)}{" "}
      {props.retry && (
        <button type="button" class="link-button" onClick={props.retry}>
          {t("retry")}
        </button>
      )}
    </Notice>
  );
}

/** What a page shows while its data loads, or why it could not. */
export function Loading<T>(props: { loaded: Loaded<T>; children: (data: T) => ComponentChildren }) {
  const { t } = useI18n();
  const { data, error, reload } = props.loaded;
  if (data !== undefined) return <>{props.children(data)}</>;
  if (error !== undefined) return <ErrorNotice error={error} retry={reload} />;
  return (
    <p class="muted" aria-live="polite">
      {t("loading")}
    </p>
  );
}

export function PageHeader(props: {
  title: string;
  intro?: ComponentChildren;
  actions?: ComponentChildren;
}) {
  useEffect(() => {
    document.title = `${props.title} · Certyneo`;
  }, [props.title]);
  return (
    <header class="page-header">
      <div>
        <h1 id="page-title" tabIndex={-1}>
          {props.title}
        </h1>
        {props.intro && <p class="muted">{props.intro}</p>}
      </div>
      {props.actions && <div class="page-actions">{props.actions}</div>}
    </header>
  );
}

async function writeClipboard(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Where the clipboard API is refused, the older way still works.
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
}

export function CopyButton(props: { text: string; label?: string; class?: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class={props.class ?? "button-secondary"}
      onClick={async () => {
        await writeClipboard(props.text);
        setCopied(true);
        setTimeout(() => setCopied(false), 2000);
      }}
    >
      <span aria-live="polite">{copied ? t("copied") : (props.label ?? t("copy"))}</span>
    </button>
  );
}

/** A secret shown once: the value, a copy button, and what to do with it. */
export function OneTimeSecret(props: { intro: string; value: string }) {
  return (
    <div class="secret" role="status">
      <p>{props.intro}</p>
      <div class="secret-row">
        <code class="secret-value">{props.value}</code>
        <CopyButton text={props.value} class="button-primary" />
      </div>
    </div>
  );
}

export function Badge(props: { tone: string; children: ComponentChildren }) {
  return <span class={`badge badge-${props.tone}`}>{props.children}</span>;
}

const ENVELOPE_TONES: Record<string, string> = {
  DRAFT: "neutral",
  SENT: "info",
  COMPLETED: "success",
  DECLINED: "danger",
  VOIDED: "neutral",
  EXPIRED: "warning",
};

export function EnvelopeStatus(props: { status: string }) {
  const { t } = useI18n();
  return (
    <Badge tone={ENVELOPE_TONES[props.status] ?? "neutral"}>
      {t(`status${props.status}` as MessageKey)}
    </Badge>
  );
}

/**
 * A modal question (a native dialog: focus kept inside, Escape closes). `onConfirm` runs the
 * change; the dialog closes when it succeeds and shows its error otherwise.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children?: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const action = useAction();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="dialog-title" onClose={props.onClose}>
      <form
        method="dialog"
        onSubmit={async (event) => {
          event.preventDefault();
          const done = await action.run(async () => {
            await props.onConfirm();
            return true;
          });
          if (done) props.onClose();
        }}
      >
        <h2 id="dialog-title">{props.title}</h2>
        {props.children}
        <ErrorNotice error={action.error} />
        <div class="form-actions">
          <button type="button" class="button-secondary" onClick={props.onClose}>
            {t("cancel")}
          </button>
          <button
            type="submit"
            class={props.danger ? "button-danger" : "button-primary"}
            disabled={action.pending}
          >
            {props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** Starts a browser download of what the API answered, under the name the server gave. */
export async function saveDownload(
  download: { blob(): Promise<Blob>; fileName?: string | undefined },
  fallbackName: string,
) {
  const blob = await download.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = download.fileName ?? fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
