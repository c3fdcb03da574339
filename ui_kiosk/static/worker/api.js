/* Worker screen: the calls to the appliance's API and the state of the logged-in session. */

import { t } from "./texts.js";

const FETCH_TIMEOUT_MS = 15000;

// What the screen holds of contacts, drafts and reports belongs to one worker's session.
const clientState = () => ({
  contact: null, contactAt: 0, original: null, working: null, transcript: null, selected: null,
  editing: null, dirty: false, version: 0, savedVersion: 0, saveTimer: null, saving: null,
  lastDeleted: null, report: null,
});

export const S = {
  user: null, owner: null, session: 0, templates: [],
  sse: null, sseDelay: 2000, sseTimer: null, pollTimer: null, loginTimer: null, tick: null,
  ...clientState(),
};

/* Forgets every contact, draft and report of the session that ended and cancels a pending
   autosave, so that nothing of one worker is shown to, or saved under the name of, the next. */
export function dropClientState() {
  clearTimeout(S.saveTimer);
  S.session += 1;
  Object.assign(S, clientState(), { owner: null });
}

export class ApiError extends Error {
  constructor(status, message, retryAfter) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

let whenSessionLost = () => {};
export function onSessionLost(handler) { whenSessionLost = handler; }

export async function fetchWithTimeout(url, opts = {}) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), FETCH_TIMEOUT_MS);
  try { return await fetch(url, { ...opts, signal: ctrl.signal }); } finally { clearTimeout(timer); }
}

function detailOf(data) {
  if (!data) return "";
  if (typeof data.detail === "string") return data.detail;
  if (Array.isArray(data.detail)) return data.detail.map((d) => d.msg || JSON.stringify(d)).join("; ");
  return "";
}

export async function api(method, path, body) {
  const opts = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    opts.body = JSON.stringify(body);
    opts.headers["Content-Type"] = "application/json";
  }
  const session = S.session;
  let res;
  try { res = await fetchWithTimeout(path, opts); } catch (_) { throw new ApiError(0, t("error.network")); }
  const raw = await res.text();
  // An answer to a request of a session that has since ended must not fill the next one's screen.
  if (S.session !== session) throw new ApiError(401, t("login.expired"));
  let data = null;
  if (raw) { try { data = JSON.parse(raw); } catch (_) { data = null; } }
  if (!res.ok) {
    const err = new ApiError(res.status, detailOf(data) || t("error.http", { status: res.status }),
      Number(res.headers.get("Retry-After")) || 0);
    if (res.status === 401 && path !== "/api/session") whenSessionLost();
    throw err;
  }
  return data;
}
