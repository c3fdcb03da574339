/* Worker screen: logging in (with back-off and lockout said plainly), logging out, a lost session. */

import { S, api } from "./api.js";
import { save, scheduleSave } from "./autosave.js";
import { $, fmtClock, notice, showError, showView } from "./dom.js";
import { renderDraft } from "./review.js";
import { closeEvents, openContact, showRoom } from "./room.js";
import { t } from "./texts.js";

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
    else if (e.status === 429 || e.status === 423) { lockoutCountdown(e); return; }
    else showError(err, e.message);
  } finally {
    if (!S.loginTimer) $("#login-submit").disabled = false;
  }
}

function lockoutCountdown(e) {
  const err = $("#login-error");
  const key = e.status === 423 ? "login.locked" : "login.backoff";
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
  $("#user-name").textContent = S.user.display_name || S.user.username || "";
  try { S.templates = await api("GET", "/api/templates"); } catch (e) { S.templates = []; notice(e.message, "error"); }
  const m = /contact=([\w-]+)/.exec(location.hash);
  if (S.contact && S.working) { showView("review"); renderDraft(); if (S.dirty) scheduleSave(0); return; }
  showRoom();
  if (m) await openContact(m[1], true);
}

export function sessionLost() {
  if (!S.user) return;
  S.user = null;
  closeEvents();
  showView("login");
  notice(t("login.expired"), "error");
}

export async function logout() {
  if (S.dirty) await save();
  try { await api("DELETE", "/api/session"); } catch (_) { /* leaving anyway */ }
  closeEvents();
  Object.assign(S, { user: null, contact: null, original: null, working: null, transcript: null,
    selected: null, editing: null, dirty: false, report: null, lastDeleted: null });
  for (const id of ["#contact-list", "#rv-sections", "#rv-transcript", "#rp-sections"]) $(id).replaceChildren();
  $("#rv-audio").removeAttribute("src");
  $("#contact-panel").hidden = true;
  $("#user-name").textContent = "";
  history.replaceState(null, "", location.pathname);
  showView("login");
}
