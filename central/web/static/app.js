// The central workers' screen: login, Today, Dossier, Report and Document, routed by the URL hash.
import { api, ApiError, setCsrf } from "./api.js";
import { $, date, el, notice } from "./dom.js";
import { documentsSection, renderDocument } from "./documents.js";
import { currentLang, setLang, t } from "./i18n.js";

const VIEWS = ["login", "today", "dossier", "report", "document"];

function show(view) {
  for (const v of VIEWS) $(`view-${v}`).hidden = v !== view;
  $("nav").hidden = view === "login";
  $("logout").hidden = view === "login";
  $("user-name").hidden = view === "login";
}

function sourceLink(src) {
  const a = el("a", { href: `#/report/${encodeURIComponent(src.report_id)}/${src.version}/${encodeURIComponent(src.sentence_id)}`,
                     class: "source" }, t("item.source_short"));
  const quote = src.text ? el("q", { text: src.text }) : null;
  return el("p", { class: "source-line" }, a, quote ? ": " : "", quote);
}

async function signedIn() {
  try {
    const me = await api("GET", "/api/session");
    setCsrf(me.csrf);
    $("user-name").textContent = me.display_name;
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return false;
    throw e;
  }
}

async function route() {
  notice("");
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (!(await signedIn())) { show("login"); $("login-user").focus(); return; }
  try {
    if (parts[0] === "dossier" && parts[1]) await renderDossier(parts[1]);
    else if (parts[0] === "report" && parts[1]) await renderReport(parts[1], parts[2], parts[3]);
    else if (parts[0] === "document" && parts[1]) { await renderDocument(parts[1], parts[2]); show("document"); }
    else await renderToday();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) { show("login"); notice(t("error.session")); return; }
    notice(t("error.generic"));
  }
  $("main").focus();
}

async function renderToday() {
  const data = await api("GET", "/api/today");
  const list = $("today-list");
  list.replaceChildren();
  for (const a of data.appointments) {
    const f = a.fields;
    list.append(el("li", { class: "item" },
      el("h3", { text: f.time ? t("appt.when", { date: date(a.date), time: f.time }) : date(a.date) }),
      f.purpose ? el("p", { text: f.purpose }) : null,
      f.with_whom ? el("p", { text: t("appt.with", { who: f.with_whom }) }) : null,
      f.place ? el("p", { text: t("appt.where", { place: f.place }) }) : null,
      el("p", {}, el("a", { href: `#/dossier/${a.dossier_id}` }, t("appt.dossier", { ref: a.dossier_ref }))),
      sourceLink(a.source)));
  }
  $("today-empty").hidden = data.appointments.length > 0;
  show("today");
  document.title = `${t("today.title")} – Spreekkamer`;
}

function section(title, items, render) {
  const box = el("section", { class: "block", "aria-label": title }, el("h2", { text: title }));
  if (!items.length) box.append(el("p", { class: "none", text: t("dossier.none") }));
  else box.append(el("ul", { class: "items" }, ...items.map((i) => el("li", { class: "item" }, ...render(i)))));
  return box;
}

function markButton(dossierId, item, kind) {
  if (item.mark) return el("p", { class: "mark", text: t(kind === "agreement" ? "item.done" : "item.received",
                                                      { by: item.mark.by, at: date(item.mark.at) }) });
  const b = el("button", { type: "button" }, t(kind === "agreement" ? "item.mark_done" : "item.mark_received"));
  b.addEventListener("click", async () => {
    b.disabled = true;
    try {
      await api("POST", `/api/dossiers/${dossierId}/marks`, { report_id: item.source.report_id, sentence_id: item.source.sentence_id });
      await renderDossier(String(dossierId));
    } catch { b.disabled = false; notice(t("error.generic")); }
  });
  return b;
}

async function renderDossier(id) {
  const d = await api("GET", `/api/dossiers/${encodeURIComponent(id)}`);
  $("dossier-title").textContent = t("dossier.title", { ref: d.dossier_ref });
  const body = $("dossier-body");
  body.replaceChildren(
    section(t("dossier.contacts"), d.contacts, (c) => [
      el("h3", { text: `${date(c.date)} – ${c.title || c.template || ""}` }),
      el("p", { text: t("contact.validated", { by: c.validated_by || "" }) }),
      c.transparency ? el("p", { class: "transparency", text: c.transparency }) : null,
      c.facts_indexed ? null : el("p", { class: "warning", text: t("contact.facts_not_indexed") }),
      el("p", {}, el("a", { href: `#/report/${encodeURIComponent(c.report_id)}/${c.version}` }, t("contact.report")),
         c.pdf ? " · " : "", c.pdf ? el("a", { href: `/api/reports/${encodeURIComponent(c.report_id)}/${c.version}/pdf` }, t("contact.pdf")) : null),
    ]),
    section(t("dossier.agreements"), d.agreements, (a) => [
      el("h3", { text: a.fields.what || "" }),
      a.fields.who ? el("p", { text: t("item.who", { who: a.fields.who }) }) : null,
      a.date ? el("p", { class: a.overdue ? "due overdue" : "due" }, t("item.due", { date: date(a.date) }),
                  a.overdue ? el("strong", { class: "badge" }, ` ${t("item.overdue")}`) : null) : null,
      markButton(d.dossier_id, a, "agreement"), sourceLink(a.source),
    ]),
    section(t("dossier.documents"), d.documents, (a) => [
      el("h3", { text: a.fields.what || "" }),
      a.date ? el("p", { class: "due", text: t("item.due", { date: date(a.date) }) }) : null,
      markButton(d.dossier_id, a, "document"), sourceLink(a.source),
    ]),
    section(t("dossier.not_decided"), d.not_decided, (a) => [
      el("h3", { text: a.fields.what || "" }),
      a.fields.who_decides ? el("p", { text: t("item.who_decides", { who: a.fields.who_decides }) }) : null,
      sourceLink(a.source),
    ]),
    section(t("dossier.deadlines"), d.deadlines, (a) => [
      el("h3", { text: `${a.label[currentLang()]}: ${date(a.due)}` }),
      el("p", { text: t("item.deadline_from", { date: date(a.from) }) }),
      el("p", { class: "legal", text: a.legal_basis }), sourceLink(a.source),
    ]),
    d.not_indexed.length ? section(t("dossier.not_indexed"), d.not_indexed, (a) => [
      el("p", { text: t("item.reason", { reason: a.reason }) }), sourceLink(a.source),
    ]) : null,
  );
  body.append(await documentsSection(d.dossier_id));
  show("dossier");
  document.title = `${t("dossier.title", { ref: d.dossier_ref })} – Spreekkamer`;
}

async function renderReport(rid, version, sentenceId) {
  const r = await api("GET", `/api/reports/${encodeURIComponent(rid)}/${encodeURIComponent(version)}`);
  $("report-title").textContent = t("report.title", { rid: r.report_id, v: r.version });
  const body = $("report-body");
  body.replaceChildren(el("p", { text: t("report.validated", { by: r.validated_by || "", at: date(r.validated_at) }) }));
  for (const s of r.sections) {
    body.append(el("h2", { text: s.title || "" }));
    for (const x of s.sentences) {
      const p = el("p", { id: `s-${x.id}`, class: x.id === sentenceId ? "sentence cited" : "sentence", text: x.text || "" });
      body.append(p);
    }
  }
  if (r.transparency) body.append(el("p", { class: "transparency", text: r.transparency }));
  show("report");
  const cited = sentenceId ? document.getElementById(`s-${sentenceId}`) : null;
  if (cited) { cited.setAttribute("tabindex", "-1"); cited.scrollIntoView({ block: "center" }); }
}

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const username = $("login-user").value.trim(), password = $("login-pass").value;
  const error = $("login-error");
  if (!username || !password) { error.textContent = t("login.missing"); return; }
  try {
    const me = await api("POST", "/api/session", { username, password });
    setCsrf(me.csrf);
    $("login-pass").value = "";
    error.textContent = "";
    await route();
  } catch (e) {
    const wait = e instanceof ApiError ? e.retryAfter : 0;
    error.textContent = e instanceof ApiError && e.status === 423 ? t("login.locked", { m: Math.max(1, Math.round(wait / 60)) })
      : e instanceof ApiError && e.status === 429 ? t("login.backoff", { s: wait })
      : e instanceof ApiError && e.status === 401 ? t("login.invalid") : t("error.generic");
  }
});

$("find-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const ref = $("find-ref").value.trim();
  if (!ref) return;
  try {
    const found = await api("GET", `/api/dossiers?ref=${encodeURIComponent(ref)}`);
    $("find-error").textContent = "";
    location.hash = `#/dossier/${found.dossier_id}`;
  } catch { $("find-error").textContent = t("find.none"); }
});

$("logout").addEventListener("click", async () => {
  try { await api("DELETE", "/api/session"); } finally { setCsrf(""); location.hash = "#/today"; await route(); }
});

for (const b of document.querySelectorAll(".lang")) b.addEventListener("click", () => { setLang(b.dataset.lang); route(); });
window.addEventListener("hashchange", route);
setLang(currentLang());
route();
