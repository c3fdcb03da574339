/* Worker screen: the calls to the appliance's API and the state of the logged-in session. */

import { t } from "./texts.js";

const FETCH_TIMEOUT_MS = 15000;

export const S = {
  user: null, templates: [],
  contact: null, contactAt: 0, sse: null, sseDelay: 2000, sseTimer: null, pollTimer: null,
  original: null, working: null, transcript: null, selected: null, editing: null,
  dirty: false, version: 0, savedVersion: 0, saveTimer: null, saving: null, lastDeleted: null,
  loginTimer: null, tick: null,
};

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
  let res;
  try { res = await fetchWithTimeout(path, opts); } catch (_) { throw new ApiError(0, t("error.network")); }
  const raw = await res.text();
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
