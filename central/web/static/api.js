// Calls to the central API with a timeout, and the session's CSRF token on every change.
let csrf = "";

export class ApiError extends Error {
  constructor(status, detail, retryAfter) { super(detail); this.status = status; this.retryAfter = retryAfter; }
}

export function setCsrf(token) { csrf = token || ""; }

export async function api(method, url, body) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), 15000);
  const headers = { "Accept": "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  try {
    const r = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
                                 credentials: "same-origin", signal: ctrl.signal });
    if (r.status === 204) return null;
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new ApiError(r.status, data.detail || "", Number(r.headers.get("Retry-After") || 0));
    return data;
  } finally {
    clearTimeout(timer);
  }
}
