import type { Branding, SandboxReset, Settings } from "@certyneo/sdk";
import { useState } from "preact/hooks";
import { contrastRatio, DEFAULT_ACCENT, MIN_CONTRAST } from "../../../src/domain/contrast.js";
import { isAdmin, useSignedIn } from "../api.js";
import { useI18n } from "../i18n.js";
import {
  ConfirmDialog,
  Loading,
  Notice,
  Outcome,
  PageHeader,
  TextField,
  useAction,
  useLoad,
} from "../ui.js";

/** Branding (both environments); who is told about envelopes, reminders and expiry (this one). */
export function AccountSettingsPage() {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const loaded = useLoad(() => Promise.all([api.branding.get(), api.settings.get()]), []);
  return (
    <>
      <PageHeader title={t("accountTitle")} />
      <Loading loaded={loaded}>
        {([branding, settings]) => (
          <>
            <BrandingForm branding={branding} />
            <SettingsForm settings={settings} />
            <SandboxCard />
          </>
        )}
      </Loading>
    </>
  );
}

const readAsDataUrl = (file: File) =>
  new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });

/** The name, colour and logo recipients see, with a preview of the signing page's button. */
function BrandingForm(props: { branding: Branding }) {
  const { t, locale } = useI18n();
  const { api, session } = useSignedIn();
  const editable = isAdmin(session);
  const [displayName, setDisplayName] = useState(props.branding.displayName ?? "");
  const [accent, setAccent] = useState(props.branding.accentColor ?? DEFAULT_ACCENT);
  const [logo, setLogo] = useState<string | null>(props.branding.logo);
  const action = useAction();
  const ratio = contrastRatio(accent, "#ffffff");
  const readable = ratio >= MIN_CONTRAST;
  const decimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  return (
    <form
      class="card narrow"
      aria-labelledby="branding-title"
      onSubmit={async (event) => {
        event.preventDefault();
        await action.run(() =>
          api.branding.update({
            displayName: displayName.trim() || null,
            accentColor: accent.toLowerCase() === DEFAULT_ACCENT ? null : accent,
            logo,
          }),
        );
      }}
    >
      <h2 id="branding-title">{t("brandingTitle")}</h2>
      <p class="muted">{t("brandingIntro")}</p>
      <TextField
        id="display-name"
        label={t("displayName")}
        maxLength={100}
        disabled={!editable}
        value={displayName}
        onValue={setDisplayName}
      />
      <div class="field">
        <label for="accent-color">{t("accentColor")}</label>
        <div class="color-row">
          <input
            id="accent-color"
            type="color"
            disabled={!editable}
            value={accent}
            aria-describedby="accent-hint accent-contrast"
            onInput={(e) => setAccent((e.target as HTMLInputElement).value)}
          />
          <code>{accent}</code>
          <span class="brand-preview" ref={(el) => el?.style.setProperty("--preview", accent)}>
            {t("sign")}
          </span>
        </div>
        <p id="accent-hint" class="hint">
          {t("accentHint")}
        </p>
        {/* Said while the colour is chosen (the API refuses it with the same rule on save); only
            the verdict is a live region, so dragging the picker does not announce every ratio. */}
        <p id="accent-contrast" class={readable ? "hint" : "hint failed"}>
          {t("contrastRatio", { ratio: decimal.format(Math.floor(ratio * 100) / 100) })}{" "}
          <span aria-live="polite">
            {readable
              ? t("contrastReadable")
              : t("contrastTooLow", { minimum: decimal.format(MIN_CONTRAST) })}
          </span>
        </p>
      </div>
      <div class="field">
        <label for="logo">{t("logo")}</label>
        {logo && <img class="logo-preview" src={logo} alt={t("logo")} />}
        <input
          id="logo"
          type="file"
          accept="image/png,image/jpeg"
          disabled={!editable}
          aria-describedby="logo-hint"
          onChange={async (e) => {
            const file = (e.target as HTMLInputElement).files?.[0];
            if (file) setLogo(await readAsDataUrl(file));
          }}
        />
        <p id="logo-hint" class="hint">
          {t("logoHint")}
        </p>
        {logo && editable && (
          <button type="button" class="link-button" onClick={() => setLogo(null)}>
            {t("removeLogo")}
          </button>
        )}
      </div>
      <Outcome action={action} success={t("saved")} />
      {editable && (
        <button type="submit" class="button-primary" disabled={action.pending}>
          {t("save")}
        </button>
      )}
    </form>
  );
}

function SettingsForm(props: { settings: Settings }) {
  const { t } = useI18n();
  const { api, session } = useSignedIn();
  const editable = isAdmin(session);
  const initial = props.settings;
  const [emails, setEmails] = useState(initial.senderEmails.join("\n"));
  const [reminders, setReminders] = useState(initial.reminders !== null);
  const [firstAfterDays, setFirst] = useState(initial.reminders?.firstAfterDays ?? 3);
  const [everyDays, setEvery] = useState(initial.reminders?.everyDays ?? 3);
  const [max, setMax] = useState(initial.reminders?.max ?? 3);
  const [expiry, setExpiry] = useState(initial.expiresAfterDays);
  const action = useAction();
  const number = (id: string, label: string, value: number, set: (n: number) => void) => (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="number"
        min={1}
        max={365}
        required
        disabled={!editable}
        value={value}
        onInput={(e) => set(Number((e.target as HTMLInputElement).value))}
      />
    </div>
  );
  return (
    <form
      class="card narrow"
      aria-labelledby="notification-settings-title"
      onSubmit={async (event) => {
        event.preventDefault();
        await action.run(() =>
          api.settings.update({
            senderEmails: emails
              .split(/[\s,;]+/)
              .map((e) => e.trim())
              .filter(Boolean),
            reminders: reminders ? { firstAfterDays, everyDays, max } : null,
            expiresAfterDays: expiry,
          }),
        );
      }}
    >
      <h2 id="notification-settings-title">{t("notificationSettingsTitle")}</h2>
      <p class="muted">{t("notificationSettingsIntro", { environment: t(session.environment) })}</p>
      {!editable && <Notice kind="info">{t("adminOnly")}</Notice>}
      <div class="field">
        <label for="sender-emails">{t("senderEmails")}</label>
        <textarea
          id="sender-emails"
          rows={3}
          disabled={!editable}
          aria-describedby="sender-emails-hint"
          value={emails}
          onInput={(e) => setEmails((e.target as HTMLTextAreaElement).value)}
        />
        <p id="sender-emails-hint" class="hint">
          {t("senderEmailsHint")}
        </p>
      </div>
      <fieldset>
        <legend>{t("remindersTitle")}</legend>
        <label class="checkbox">
          <input
            type="checkbox"
            disabled={!editable}
            checked={reminders}
            onChange={(e) => setReminders((e.target as HTMLInputElement).checked)}
          />
          {t("remindersEnabled")}
        </label>
        {reminders && (
          <div class="field-row">
            {number("first-reminder", t("firstReminderDays"), firstAfterDays, setFirst)}
            {number("reminder-interval", t("reminderIntervalDays"), everyDays, setEvery)}
            {number("max-reminders", t("maxReminders"), max, setMax)}
          </div>
        )}
      </fieldset>
      {number("expiry-days", t("expiryDays"), expiry, setExpiry)}
      <Outcome action={action} success={t("saved")} />
      {editable && (
        <button type="submit" class="button-primary" disabled={action.pending}>
          {t("save")}
        </button>
      )}
    </form>
  );
}

/** The owner's way to start the test environment afresh: everything in it is deleted. */
function SandboxCard() {
  const { t } = useI18n();
  const { api, session } = useSignedIn();
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<SandboxReset | null>(null);
  const owner = session.user.role === "owner";
  return (
    <section class="card narrow" aria-labelledby="sandbox-title">
      <h2 id="sandbox-title">{t("sandboxTitle")}</h2>
      <p class="muted">{t("sandboxIntro")}</p>
      {!owner && <Notice kind="info">{t("ownerOnly")}</Notice>}
      {done && (
        <Notice kind="success">
          {t("sandboxDone", {
            envelopes: done.deleted.envelopes,
            documents: done.deleted.documents,
            webhooks: done.deleted.webhooks,
          })}
        </Notice>
      )}
      {owner && (
        <button type="button" class="button-danger" onClick={() => setConfirming(true)}>
          {t("sandboxReset")}
        </button>
      )}
      <ConfirmDialog
        open={confirming}
        title={t("sandboxReset")}
        confirmLabel={t("sandboxResetConfirmButton")}
        danger
        onClose={() => setConfirming(false)}
        onConfirm={async () => setDone(await api.settings.resetSandbox())}
      >
        <p>{t("sandboxResetConfirm")}</p>
      </ConfirmDialog>
    </section>
  );
}
