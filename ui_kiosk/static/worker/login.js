/* Worker screen: logging in (with back-off and lockout said plainly), logging out, a lost session. */

import { S, api, dropClientState } from "./api.js";
import { save } from "./autosave.js";
import { $, $$, fmtClock, notice, showError, showView } from "./dom.js";
import { closeEvents, openContact, showRoom } from "./room.js";
import { t } from "./texts.js";

// Every place where the screen writes what it read of a contact, its draft or its report.
const SHOWN_CLIENT_DATA = [
  "#contact-list", "#cp-dossier", "#cp-template", "#cp-error", "#cp-hint", "#rv-dossier", "#rv-sections",
  "#rv-unassigned .items", "#rv-excluded .items", "#rv-transcript", "#rv-save-state", "#rp-title",
  "#rp-dossier", "#rp-meta", "#rp-sections", "#rp-transparency", "#validate-warnings", "#validate-expected",
].join(", ");

export async function onLogin(ev) {
  ev.preventDefault();
  const username = $("#login-username").value.trim();
  const password = $("#login-password").value;
  const err = $("#login-error");
  if (!username || !password) { showError(err, t("login.missing")); return; }
  showError(err, "");
  $("#login-submit").disabled = true;
  try {
    S.user = await api("POST", "/api/session", { username, password });
    $("#login-password").value = "";
    await afterLogin();
  } catch (e) {
    if (e.status === 401) showError(err, t("login.wrong"));
    else if (e.status === 429 || e.status === 423 || e.status === 503) { lockoutCountdown(e); return; }
    else showError(err, e.message);
  } finally {
    if (!S.loginTimer) $("#login-submit").disabled = false;
  }
}

function lockoutCountdown(e) {
  const err = $("#login-error");
  const key = { 423: "login.locked", 503: "login.busy" }[e.status] || "login.backoff";
  let left = e.retryAfter;
  const button = $("#login-submit");
  clearInterval(S.loginTimer);
  const show = () => {
    if (left > 0) showError(err, t(key, { seconds: left, wait: fmtClock(left) }));
    else showError(err, e.status === 423 ? t("login.locked_no_time", { detail: e.message }) : t("login.try_again"));
  };
  show();
  if (left <= 0) { button.disabled = false; return; }
  button.disabled = true;
  S.loginTimer = setInterval(() => {
    left -= 1;
    show();
    if (left <= 0) { clearInterval(S.loginTimer); S.loginTimer = null; button.disabled = false; }
  }, 1000);
}

export async function afterLogin() {
  // A screen still holding another worker's contact or draft is emptied before this one sees it.
  if (S.owner !== S.user.username) dropClientState();
  S.owner = S.user.username;
  $("#user-name").textContent = S.user.display_name || S.user.username || "";
  try { S.templates = await api("GET", "/api/templates"); } catch (e) { S.templates = []; notice(e.message, "error"); }
  const m = /contact=([\w-]+)/.exec(location.hash);
  showRoom();
  if (m) await openContact(m[1], true);
}

export function sessionLost() {
  if (!S.user) return;
  leaveSession();
  notice(t("login.expired"), "error");
}

export async function logout() {
  if (S.dirty) await save();
  try { await api("DELETE", "/api/session"); } catch (_) { /* leaving anyway */ }
  leaveSession();
}

// The next person at this browser starts from an empty screen, at no one's contact.
function leaveSession() {
  closeEvents();
  dropClientState();
  S.user = null;
  for (const dlg of $$("dialog[open]")) dlg.close();
  for (const node of $$(SHOWN_CLIENT_DATA)) node.replaceChildren();
  for (const id of ["#contact-dossier", "#validate-name"]) $(id).value = "";
  for (const id of ["#rp-html", "#rp-pdf"]) $(id).removeAttribute("href");
  const audio = $("#rv-audio");
  audio.pause();  // without a source it would still play out what it has loaded
  audio.removeAttribute("src");
  audio.load();
  $("#rv-unassigned").hidden = true;
  $("#rv-excluded").hidden = true;
  $("#contact-panel").hidden = true;
  $("#user-name").textContent = "";
  history.replaceState(null, "", location.pathname);
  showView("login");
}
