import type { Envelope } from "@certyneo/sdk";
import { useState } from "preact/hooks";
import { useSignedIn } from "../api.js";
import { type MessageKey, useI18n } from "../i18n.js";
import { navigate, useLocation } from "../router.js";
import { EnvelopeStatus, Link, Loading, PageHeader, TableHead, useLoad } from "../ui.js";

const STATUSES = ["DRAFT", "SENT", "COMPLETED", "DECLINED", "VOIDED", "EXPIRED"] as const;
const PAGE_SIZE = 20;

/** Who has done their part, of those who have one (CC has none). */
function progress(envelope: Envelope): string {
  const acting = envelope.recipients.filter((r) => r.role !== "CC");
  const done = acting.filter((r) => r.status === "SIGNED" || r.status === "APPROVED").length;
  return `${done}/${acting.length}`;
}

/** Envelopes, newest first: a status filter, a search, pages of 20; all kept in the address. */
export function EnvelopesPage() {
  const { t, date } = useI18n();
  const { api } = useSignedIn();
  const { query } = useLocation();
  const status = query.get("status") ?? "";
  const q = query.get("q") ?? "";
  const after = query.get("after") ?? "";
  const page = Number(query.get("page") ?? "1");
  const [search, setSearch] = useState(q);
  const loaded = useLoad(
    () =>
      api.envelopes.list({
        limit: PAGE_SIZE,
        ...(status && { status: status as Envelope["status"] }),
        ...(q && { q }),
        ...(after && { after }),
      }),
    [status, q, after],
  );
  const go = (next: Record<string, string>) => {
    const params = new URLSearchParams({ ...(status && { status }), ...(q && { q }), ...next });
    for (const [key, value] of [...params]) if (!value) params.delete(key);
    navigate(`/envelopes${params.size ? `?${params}` : ""}`);
  };

  return (
    <>
      <PageHeader
        title={t("envelopesTitle")}
        actions={
          <Link href="/envelopes/new" class="button button-primary">
            {t("navNewEnvelope")}
          </Link>
        }
      />
      <div class="toolbar">
        <fieldset class="tabs">
          <legend class="visually-hidden">{t("status")}</legend>
          {["", ...STATUSES].map((value) => (
            <button
              type="button"
              key={value || "all"}
              aria-pressed={status === value}
              onClick={() => go({ status: value, after: "", page: "" })}
            >
              {value ? t(`status${value}` as MessageKey) : t("filterAll")}
            </button>
          ))}
        </fieldset>
        <form
          class="search"
          onSubmit={(event) => {
            event.preventDefault();
            go({ q: search.trim(), after: "", page: "" });
          }}
        >
          <label for="envelope-search" class="visually-hidden">
            {t("searchLabel")}
          </label>
          <input
            id="envelope-search"
            type="search"
            placeholder={t("searchPlaceholder")}
            value={search}
            maxLength={200}
            onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
          />
          <button type="submit" class="button-secondary">
            {t("search")}
          </button>
        </form>
      </div>
      <Loading loaded={loaded}>
        {(list) =>
          list.data.length === 0 ? (
            <p class="empty">{q || status ? t("noEnvelopesMatch") : t("noEnvelopes")}</p>
          ) : (
            <>
              <table class="table responsive">
                <TableHead columns={[t("subject"), t("recipients"), t("status"), t("created")]} />
                <tbody>
                  {list.data.map((envelope) => (
                    <tr key={envelope.id}>
                      <td data-label={t("subject")}>
                        <Link href={`/envelopes/${envelope.id}`} class="strong">
                          {envelope.subject}
                        </Link>
                      </td>
                      <td data-label={t("recipients")}>
                        <span class="recipients-cell">
                          {envelope.recipients.map((r) => r.name).join(", ")}
                        </span>{" "}
                        <span class="muted">({progress(envelope)})</span>
                      </td>
                      <td data-label={t("status")}>
                        <EnvelopeStatus status={envelope.status} />
                      </td>
                      <td data-label={t("created")}>{date(envelope.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {(page > 1 || list.hasMore) && (
                <nav class="pager" aria-label={t("pageOf", { page })}>
                  <button
                    type="button"
                    class="button-secondary"
                    disabled={page <= 1}
                    onClick={() => history.back()}
                  >
                    {t("previous")}
                  </button>
                  <span aria-current="page">{t("pageOf", { page })}</span>
                  <button
                    type="button"
                    class="button-secondary"
                    disabled={!list.hasMore || !list.nextCursor}
                    onClick={() => go({ after: list.nextCursor ?? "", page: String(page + 1) })}
                  >
                    {t("next")}
                  </button>
                </nav>
              )}
            </>
          )
        }
      </Loading>
    </>
  );
}
