/* Worker screen: the room, its open contacts and the chosen contact's state, followed live
 over SSE, reconnecting, with a poll while the stream is down. */

import { S, api } from "./api.js";
import { $, $$, currentView, el, fmtClock, notice, showError, showView } from "./dom.js";
import { openReport } from "./report.js";
import { openReview } from "./review.js";
import { language, t } from "./texts.js";

const POLL_MS = 3000;
const FINAL_STATES = ["validated", "sealed", "delivered", "purged"];

export function showRoom() {
  showView("room");
  renderTemplates();
  renderContact();
  refreshContacts();
}

function templateTitle(tpl) {
  if (!tpl) return "";
  const title = tpl[`title_${language.code}`] || tpl.title || tpl.title_nl || tpl.id;
  return tpl.version ? `${title} (${tpl.version})` : title;
}

export function renderTemplates() {
  const sel = $("#contact-template");
  const current = sel.value;
  sel.replaceChildren(...(S.templates || []).map((tpl) => el("option", { value: tpl.id, text: templateTitle(tpl) })));
  if (current) sel.value = current;
}

export async function refreshContacts() {
  let contacts = [];
  try { contacts = await api("GET", "/api/contacts"); } catch (_) { return; }
  const list = $("#contact-list");
  list.replaceChildren(...contacts.map((c) => el("li", {},
    el("button", { type: "button", class: "contact-item", dataset: { id: c.id },
      "aria-current": S.contact && S.contact.id === c.id ? "true" : null,
      onclick: () => openContact(c.id, false) },
      el("span", { class: "mono", text: c.dossier_ref }),
      el("span", { class: "muted", text: t(`state.${c.state}`) })))));
  $("#contact-list-empty").hidden = contacts.length > 0;
}

export async function onCreateContact(ev) {
  ev.preventDefault();
  const dossier_ref = $("#contact-dossier").value.trim();
  const template_id = $("#contact-template").value;
  const err = $("#contact-error");
  if (!dossier_ref || !template_id) { showError(err, t("room.missing")); return; }
  showError(err, "");
  try {
    const contact = await api("POST", "/api/contacts", { dossier_ref, template_id });
    $("#contact-dossier").value = "";
    setContact(contact);
    connectEvents();
    refreshContacts();
  } catch (e) { showError(err, e.message); }
}

export async function openContact(id, resume) {
  try {
    setContact(await api("GET", `/api/contacts/${encodeURIComponent(id)}`));
  } catch (e) { notice(e.message, "error"); return; }
  connectEvents();
  if (currentView() !== "room") showRoom(); else refreshContacts();
  if (resume && reviewable(S.contact)) await openReview();
  else if (resume && S.contact.report_id) await openReport();
}

function setContact(contact) {
  if (S.contact && S.contact.id !== contact.id) {
    Object.assign(S, { original: null, working: null, transcript: null, selected: null, dirty: false, lastDeleted: null });
  }
  S.contact = contact;
  S.contactAt = performance.now();
  history.replaceState(null, "", `#contact=${contact.id}`);
  renderContact();
}

function reviewable(c) {
  if (!c || c.report_id || FINAL_STATES.includes(c.state)) return false;
  return c.state === "drafted" || c.path === "manual";
}

function visibleActions(c) {
  const s = c.state;
  const before = ["opened", "consent_asked", "granted", "declined", "revoked"].includes(s);
  return {
    "consent/ask": s === "opened" && c.path !== "manual",
    "recording/start": s === "granted",
    "recording/pause": s === "recording",
    "recording/resume": s === "paused",
    "recording/stop": s === "recording" || s === "paused",
    manual: before && c.path !== "manual" && !c.report_id,
    review: reviewable(c),
    report: Boolean(c.report_id),
    revoke: c.consent === "granted" && !["revoked", "purged"].includes(s),
  };
}

function hintFor(c) {
  if (c.error) return c.error;
  if (c.busy) return t("hint.busy");
  if (reviewable(c)) return t(c.path === "manual" ? "hint.manual_ready" : "hint.draft_ready");
  return language.texts[`hint.${c.state}`] ?? "";
}

export function renderContact() {
  const c = S.contact;
  $("#contact-panel").hidden = !c;
  if (!c) return;
  $("#cp-dossier").textContent = c.dossier_ref;
  const tpl = (S.templates || []).find((x) => x.id === c.template_id);
  $("#cp-template").textContent = tpl ? templateTitle(tpl) : c.template_id;
  // While the question is on the kiosk the contact has no consent value yet, only its state.
  const consent = c.consent || (c.state === "consent_asked" ? "asked" : "none");
  $("#cp-consent").textContent = t(`consent.${consent}`);
  $("#cp-consent").dataset.consent = consent;
  $("#cp-state").textContent = t(`state.${c.state}`);
  const rec = c.state === "recording" ? "on" : c.state === "paused" ? "paused" : "off";
  $("#cp-rec").dataset.rec = rec;
  $("#cp-rec").textContent = t(`rec.${rec}`);
  const shown = visibleActions(c);
  for (const b of $$("#cp-actions button")) b.hidden = !shown[b.dataset.act];
  $("#cp-hint").textContent = hintFor(c);
  tickElapsed();
}

function elapsedSeconds() {
  const c = S.contact;
  if (!c) return 0;
  let sec = Number(c.recorded_seconds) || 0;
  if (c.state === "recording") sec += (performance.now() - S.contactAt) / 1000;
  return sec;
}

export function tickElapsed() { if (S.contact) $("#cp-elapsed").textContent = fmtClock(elapsedSeconds()); }

export async function onContactAction(ev) {
  const act = ev.target.closest("button")?.dataset.act;
  if (!act || !S.contact) return;
  const err = $("#cp-error");
  showError(err, "");
  if (act === "review") { await openReview(); return; }
  if (act === "report") { await openReport(); return; }
  if (act === "revoke") { openRevoke(); return; }
  const button = ev.target.closest("button");
  button.disabled = true;
  try {
    setContact(await api("POST", `/api/contacts/${S.contact.id}/${act}`));
    if (act === "manual" && reviewable(S.contact)) await openReview();
  } catch (e) { showError(err, e.message); } finally { button.disabled = false; }
}

function openRevoke() {
  showError($("#revoke-error"), "");
  $("#dlg-revoke").showModal();
}

export async function onRevoke(ev) {
  ev.preventDefault();
  const channel = $("#revoke-form").querySelector("input[name=channel]:checked")?.value;
  try {
    const res = await api("POST", `/api/contacts/${S.contact.id}/revocations`, { channel });
    $("#dlg-revoke").close();
    Object.assign(S, { original: null, working: null, transcript: null, dirty: false });
    setContact(res.contact);
    const deleted = (res.receipt?.deleted || []).map((k) => t(`receipt.${k}`)).join(", ");
    notice(t("revoke.done", { deleted: deleted || "—" }));
    if (currentView() !== "room") showRoom();
  } catch (e) { showError($("#revoke-error"), e.message); }
}

function connectEvents() {
  closeEvents();
  if (!S.contact || !window.EventSource) { startPolling(); return; }
  const id = S.contact.id;
  const es = new EventSource(`/api/contacts/${encodeURIComponent(id)}/events`);
  S.sse = es;
  es.onopen = () => { S.sseDelay = 2000; stopPolling(); setLive("on"); };
  es.onmessage = (m) => {
    try { onContactUpdate(JSON.parse(m.data)); } catch (_) { /* ignore a malformed event */ }
  };
  es.onerror = () => {
    es.close();
    if (S.sse !== es) return;
    S.sse = null;
    setLive("reconnecting");
    startPolling();
    S.sseTimer = setTimeout(() => { if (S.contact && S.contact.id === id && S.user) connectEvents(); }, S.sseDelay);
    S.sseDelay = Math.min(S.sseDelay * 2, 30000);
  };
}

export function closeEvents() {
  if (S.sse) { S.sse.close(); S.sse = null; }
  clearTimeout(S.sseTimer);
  stopPolling();
  setLive("off");
}

function startPolling() {
  if (S.pollTimer) return;
  S.pollTimer = setInterval(async () => {
    if (!S.contact || !S.user) return;
    try { onContactUpdate(await api("GET", `/api/contacts/${S.contact.id}`)); } catch (_) { /* next round */ }
  }, POLL_MS);
}

function stopPolling() { clearInterval(S.pollTimer); S.pollTimer = null; }

function setLive(state) {
  const live = $("#cp-live");
  live.dataset.live = state;
  live.textContent = state === "off" ? "" : t(`live.${state}`);
}

function onContactUpdate(c) {
  if (!S.contact || !c || c.id !== S.contact.id) return;
  const was = S.contact.state;
  S.contact = c;
  S.contactAt = performance.now();
  renderContact();
  if (was !== c.state && currentView() === "room") refreshContacts();
  if (c.state === "revoked" && currentView() === "review") {
    Object.assign(S, { working: null, original: null, transcript: null, dirty: false });
    showRoom();
    notice(t("revoke.elsewhere"), "error");
  }
}
