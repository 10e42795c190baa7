import type { Settings } from "@certyneo/sdk";
import { useState } from "preact/hooks";
import { isAdmin, useSignedIn } from "../api.js";
import { useI18n } from "../i18n.js";
import { ErrorNotice, Loading, Notice, PageHeader, useAction, useLoad } from "../ui.js";

/** Who is told about envelopes, reminders and expiry: for the environment shown. */
export function AccountSettingsPage() {
  const { t } = useI18n();
  const { api } = useSignedIn();
  const loaded = useLoad(() => api.settings.get(), []);
  return (
    <>
      <PageHeader title={t("accountTitle")} />
      <Loading loaded={loaded}>{(settings) => <SettingsForm settings={settings} />}</Loading>
    </>
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
  const [saved, setSaved] = useState(false);
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
      onSubmit={async (event) => {
        event.preventDefault();
        setSaved(false);
        const done = await action.run(() =>
          api.settings.update({
            senderEmails: emails
              .split(/[\s,;]+/)
              .map((e) => e.trim())
              .filter(Boolean),
            reminders: reminders ? { firstAfterDays, everyDays, max } : null,
            expiresAfterDays: expiry,
          }),
        );
        if (done) setSaved(true);
      }}
    >
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
      <ErrorNotice error={action.error} />
      {saved && <Notice kind="success">{t("saved")}</Notice>}
      {editable && (
        <button type="submit" class="button-primary" disabled={action.pending}>
          {t("save")}
        </button>
      )}
    </form>
  );
}
