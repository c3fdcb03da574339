/* Worker screen: small DOM helpers and the switch between the screen's views.
   Client data is written with textContent, never as HTML. */

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c) node.append(c);
  return node;
}

let noticeTimer = null;
export function notice(msg, kind = "info") {
  const box = $("#notice");
  box.textContent = msg;
  box.dataset.kind = kind;
  box.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { box.hidden = true; }, kind === "error" ? 9000 : 4000);
}

export function showError(node, msg) { node.textContent = msg || ""; node.hidden = !msg; }

export function fmtClock(sec) {
  sec = Math.max(0, Math.floor(sec || 0));
  const h = Math.floor(sec / 3600), m = Math.floor((sec % 3600) / 60), s = sec % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return (h ? `${h}:` : "") + `${mm}:${String(s).padStart(2, "0")}`;
}

export function confirmDialog(text) {
  const dlg = $("#dlg-confirm");
  $("#dlg-confirm-text").textContent = text;
  dlg.returnValue = "";
  dlg.showModal();
  $("#dlg-confirm-yes").focus();
  return new Promise((resolve) => {
    dlg.addEventListener("close", () => resolve(dlg.returnValue === "yes"), { once: true });
  });
}

let view = null;
export const currentView = () => view;

export function showView(name) {
  for (const v of $$(".view")) v.hidden = v.id !== `view-${name}`;
  const loggedIn = name !== "login";
  $("#nav-room").hidden = !loggedIn || name === "room";
  $("#logout").hidden = !loggedIn;
  $("#help-open").hidden = name !== "review";
  $("#user-name").hidden = !loggedIn;
  view = name;
}
