/* Spreekkamer worker screen: login, room control, draft review, validation.
   ES modules served as they are, no build step, nothing from the network. Client data only ever
   arrives through the authenticated API and is written with textContent, never as HTML.
   This entry module loads the texts, wires the buttons and resumes a session that is still open. */

import { S, api, fetchWithTimeout, onSessionLost } from "./api.js";
import { save } from "./autosave.js";
import { $, $$, currentView, notice, showView } from "./dom.js";
import { afterLogin, logout, onLogin, sessionLost } from "./login.js";
import { expectedName, normName, onValidate, openValidate, renderReport } from "./report.js";
import { onKey, renderDraft, undoDelete } from "./review.js";
import {
  onContactAction, onCreateContact, onRevoke, refreshContacts, renderContact, renderTemplates, showRoom, tickElapsed,
} from "./room.js";
import { applyTexts, captureDefaults, language, t } from "./texts.js";

async function loadTexts(lang) {
  // The texts are no client data, so they load before login.
  for (const url of [`/api/worker/texts/${lang}`, `/static/i18n/worker-${lang}.json`]) {
    try {
      const res = await fetchWithTimeout(url, { credentials: "same-origin" });
      if (res.ok) return await res.json();
    } catch (_) { /* try the next place */ }
  }
  return null;
}

async function setLanguage(lang) {
  const texts = await loadTexts(lang);
  if (!texts && lang !== "nl") { notice(t("error.texts")); return; }
  language.code = lang;
  language.texts = texts || {};
  try { localStorage.setItem("spreekkamer.worker.lang", lang); } catch (_) { /* private mode */ }
  document.documentElement.lang = lang;
  applyTexts();
  rerender();
}

function rerender() {
  const view = currentView();
  if (view === "room") { renderTemplates(); renderContact(); refreshContacts(); }
  if (view === "review") renderDraft();
  if (view === "report" && S.report) renderReport(S.report);
}

async function boot() {
  onSessionLost(sessionLost);
  captureDefaults();
  let lang = "nl";
  try { lang = localStorage.getItem("spreekkamer.worker.lang") || "nl"; } catch (_) { /* private mode */ }
  await setLanguage(lang === "fr" ? "fr" : "nl");
  $("#login-form").addEventListener("submit", onLogin);
  $("#contact-form").addEventListener("submit", onCreateContact);
  $("#cp-actions").addEventListener("click", onContactAction);
  $("#revoke-form").addEventListener("submit", onRevoke);
  $("#revoke-cancel").addEventListener("click", () => $("#dlg-revoke").close());
  $("#validate-form").addEventListener("submit", onValidate);
  $("#validate-cancel").addEventListener("click", () => $("#dlg-validate").close());
  $("#validate-name").addEventListener("input", (ev) => {
    $("#validate-confirm").disabled = normName(ev.target.value) !== normName(expectedName()) || !ev.target.value.trim();
  });
  $("#rv-save").addEventListener("click", () => save());
  $("#rv-validate").addEventListener("click", openValidate);
  $("#rv-undo").addEventListener("click", undoDelete);
  $("#rp-back").addEventListener("click", showRoom);
  $("#nav-room").addEventListener("click", async () => { if (S.dirty) await save(); showRoom(); });
  $("#logout").addEventListener("click", logout);
  $("#help-open").addEventListener("click", () => $("#dlg-help").showModal());
  for (const b of $$(".lang")) b.addEventListener("click", () => setLanguage(b.dataset.lang));
  document.addEventListener("keydown", onKey);
  window.addEventListener("beforeunload", (ev) => { if (S.dirty) { save(); ev.preventDefault(); } });
  S.tick = setInterval(tickElapsed, 500);
  showView("login");
  try {
    S.user = await api("GET", "/api/session");
  } catch (_) { S.user = null; }
  if (S.user) await afterLogin();
  else $("#login-username").focus();
}

document.addEventListener("DOMContentLoaded", boot);
