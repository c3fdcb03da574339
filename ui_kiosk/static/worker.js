/* Spreekkamer worker screen: login, room control, draft review, validation.
   Vanilla JS, no build step, nothing from the network. Client data only ever arrives
   through the authenticated API and is written with textContent, never as HTML. */
"use strict";

(() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  const AUTOSAVE_MS = 1500;
  const FETCH_TIMEOUT_MS = 15000;
  const POLL_MS = 3000;
  const FINAL_STATES = ["validated", "sealed", "delivered", "purged"];
  const FLAG_KEYS = ["low_confidence", "unverified"];

  const S = {
    lang: "nl", texts: {}, defaults: {}, user: null, templates: [],
    contact: null, contactAt: 0, sse: null, sseDelay: 2000, sseTimer: null, pollTimer: null,
    original: null, working: null, transcript: null, selected: null, editing: null,
    dirty: false, version: 0, savedVersion: 0, saveTimer: null, saving: null, lastDeleted: null,
    loginTimer: null, tick: null,
  };

  /* ---------- texts ---------- */

  function t(key, params) {
    let s = S.texts[key] ?? S.defaults[key] ?? key;
    for (const [k, v] of Object.entries(params || {})) s = s.replaceAll(`{${k}}`, String(v));
    return s;
  }

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
    S.lang = lang;
    S.texts = texts || {};
    try { localStorage.setItem("spreekkamer.worker.lang", lang); } catch (_) { /* private mode */ }
    document.documentElement.lang = lang;
    applyTexts();
    rerender();
  }

  function applyTexts() {
    for (const el of $$("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of $$("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
    for (const el of $$("[data-i18n-aria]")) el.setAttribute("aria-label", t(el.dataset.i18nAria));
    for (const b of $$(".lang")) b.setAttribute("aria-pressed", String(b.dataset.lang === S.lang));
    document.title = t("app.title");
  }

  function captureDefaults() {
    // The Dutch words in the HTML are the fallback when the text files cannot be read.
    for (const el of $$("[data-i18n]")) S.defaults[el.dataset.i18n] = el.textContent;
  }

  /* ---------- HTTP ---------- */

  class ApiError extends Error {
    constructor(status, message, retryAfter) {
      super(message);
      this.status = status;
      this.retryAfter = retryAfter;
    }
  }

  async function fetchWithTimeout(url, opts = {}) {
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

  async function api(method, path, body) {
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
      if (res.status === 401 && path !== "/api/session") sessionLost();
      throw err;
    }
    return data;
  }

  /* ---------- small UI helpers ---------- */

  function el(tag, attrs = {}, ...children) {
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
  function notice(msg, kind = "info") {
    const box = $("#notice");
    box.textContent = msg;
    box.dataset.kind = kind;
    box.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { box.hidden = true; }, kind === "error" ? 9000 : 4000);
  }

  function showError(node, msg) { node.textContent = msg || ""; node.hidden = !msg; }

  function fmtClock(sec) {
    sec = Math.max(0, Math.floor(sec || 0));
    const h = Math.floor(sec / 3600), m = Math.floor((sec % 3600) / 60), s = sec % 60;
    const mm = h ? String(m).padStart(2, "0") : String(m);
    return (h ? `${h}:` : "") + `${mm}:${String(s).padStart(2, "0")}`;
  }

  function fmtMoment(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso || "";
    return new Intl.DateTimeFormat(S.lang === "fr" ? "fr-BE" : "nl-BE",
      { dateStyle: "long", timeStyle: "short" }).format(d);
  }

  function confirmDialog(text) {
    const dlg = $("#dlg-confirm");
    $("#dlg-confirm-text").textContent = text;
    dlg.returnValue = "";
    dlg.showModal();
    $("#dlg-confirm-yes").focus();
    return new Promise((resolve) => {
      dlg.addEventListener("close", () => resolve(dlg.returnValue === "yes"), { once: true });
    });
  }

  function showView(name) {
    for (const v of $$(".view")) v.hidden = v.id !== `view-${name}`;
    const loggedIn = name !== "login";
    $("#nav-room").hidden = !loggedIn || name === "room";
    $("#logout").hidden = !loggedIn;
    $("#help-open").hidden = name !== "review";
    $("#user-name").hidden = !loggedIn;
    S.view = name;
  }

  function rerender() {
    if (S.view === "room") { renderTemplates(); renderContact(); refreshContacts(); }
    if (S.view === "review") renderDraft();
    if (S.view === "report" && S.report) renderReport(S.report);
  }

  /* ---------- 1. login ---------- */

  async function onLogin(ev) {
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

  async function afterLogin() {
    $("#user-name").textContent = S.user.display_name || S.user.username || "";
    try { S.templates = await api("GET", "/api/templates"); } catch (e) { S.templates = []; notice(e.message, "error"); }
    const m = /contact=([\w-]+)/.exec(location.hash);
    if (S.contact && S.working) { showView("review"); renderDraft(); if (S.dirty) scheduleSave(0); return; }
    showRoom();
    if (m) await openContact(m[1], true);
  }

  function sessionLost() {
    if (!S.user) return;
    S.user = null;
    closeEvents();
    showView("login");
    notice(t("login.expired"), "error");
  }

  async function logout() {
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

  /* ---------- 2. room ---------- */

  function showRoom() {
    showView("room");
    renderTemplates();
    renderContact();
    refreshContacts();
  }

  function templateTitle(tpl) {
    if (!tpl) return "";
    const title = tpl[`title_${S.lang}`] || tpl.title || tpl.title_nl || tpl.id;
    return tpl.version ? `${title} (${tpl.version})` : title;
  }

  function renderTemplates() {
    const sel = $("#contact-template");
    const current = sel.value;
    sel.replaceChildren(...(S.templates || []).map((tpl) => el("option", { value: tpl.id, text: templateTitle(tpl) })));
    if (current) sel.value = current;
  }

  async function refreshContacts() {
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

  async function onCreateContact(ev) {
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

  async function openContact(id, resume) {
    try {
      setContact(await api("GET", `/api/contacts/${encodeURIComponent(id)}`));
    } catch (e) { notice(e.message, "error"); return; }
    connectEvents();
    if (S.view !== "room") showRoom(); else refreshContacts();
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
    return S.texts[`hint.${c.state}`] ?? "";
  }

  function renderContact() {
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

  function tickElapsed() { if (S.contact) $("#cp-elapsed").textContent = fmtClock(elapsedSeconds()); }

  async function onContactAction(ev) {
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

  async function onRevoke(ev) {
    ev.preventDefault();
    const channel = $("#revoke-form").querySelector("input[name=channel]:checked")?.value;
    try {
      const res = await api("POST", `/api/contacts/${S.contact.id}/revocations`, { channel });
      $("#dlg-revoke").close();
      Object.assign(S, { original: null, working: null, transcript: null, dirty: false });
      setContact(res.contact);
      const deleted = (res.receipt?.deleted || []).map((k) => t(`receipt.${k}`)).join(", ");
      notice(t("revoke.done", { deleted: deleted || "—" }));
      if (S.view !== "room") showRoom();
    } catch (e) { showError($("#revoke-error"), e.message); }
  }

  /* live contact state: SSE, reconnecting, with a poll while the stream is down */

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

  function closeEvents() {
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
    if (was !== c.state && S.view === "room") refreshContacts();
    if (c.state === "revoked" && S.view === "review") {
      Object.assign(S, { working: null, original: null, transcript: null, dirty: false });
      showRoom();
      notice(t("revoke.elsewhere"), "error");
    }
  }

  /* ---------- 3. review ---------- */

  let idCounter = 0;
  const newId = () => `w${Date.now().toString(36)}${(idCounter++).toString(36)}`;

  async function openReview() {
    const c = S.contact;
    try {
      const d = await api("GET", `/api/contacts/${c.id}/draft`);
      S.original = d.original;
      S.working = structuredClone(d.working);
      S.dirty = false;
    } catch (e) { notice(e.message, "error"); return; }
    for (const sec of S.working.sections || []) for (const s of sec.sentences || []) if (!s.id) s.id = newId();
    for (const s of S.working.unassigned || []) if (!s.id) s.id = newId();
    S.transcript = null;
    if (c.path !== "manual") {
      try { S.transcript = await api("GET", `/api/contacts/${c.id}/transcript`); } catch (e) { notice(e.message, "error"); }
    }
    S.selected = null;
    S.lastDeleted = null;
    $("#rv-undo").hidden = true;
    $("#rv-audio").removeAttribute("src");
    setSaveState("saved");
    showView("review");
    renderTranscript();
    renderDraft();
  }

  function setSaveState(state, detail) {
    const node = $("#rv-save-state");
    node.dataset.state = state;
    node.textContent = t(`save.${state}`, { detail: detail || "", time: new Date().toLocaleTimeString(S.lang === "fr" ? "fr-BE" : "nl-BE", { hour: "2-digit", minute: "2-digit" }) });
  }

  function renderTranscript() {
    const box = $("#rv-transcript");
    const grid = $("#rv-grid");
    const segs = S.transcript?.segments || [];
    grid.classList.toggle("no-source", !S.transcript);
    $("#rv-source").hidden = !S.transcript;
    box.replaceChildren(...segs.map((seg) => {
      const words = seg.words && seg.words.length
        ? seg.words.map((w) => el("span", { class: "w", text: w.word, dataset: { start: w.start, end: w.end } }))
        : [el("span", { class: "w", text: seg.text, dataset: { start: seg.start, end: seg.end } })];
      return el("div", { class: "seg", dataset: { seg: seg.id, speaker: seg.speaker || "unknown" } },
        el("button", { type: "button", class: "seg-time", text: fmtClock(seg.start), title: t("review.play_segment"),
          onclick: () => playRange(seg.start, seg.end) }),
        el("span", { class: "seg-speaker", text: t(`speaker.${seg.speaker || "unknown"}`) }),
        el("p", { class: "seg-text" }, ...words));
    }));
  }

  function sectionTitle(sec) {
    // The draft carries the Dutch title; the template knows the title in the screen's language.
    const tpl = (S.templates || []).find((x) => x.id === S.working?.template?.id);
    const known = (tpl?.sections || []).find((x) => x.id === sec.id);
    return (known && known[`title_${S.lang}`]) || sec.title || sec.id;
  }

  function renderDraft() {
    const w = S.working;
    if (!w) return;
    $("#rv-dossier").textContent = S.contact?.dossier_ref || "";
    const host = $("#rv-sections");
    host.replaceChildren(...w.sections.map((sec, i) => el("section", { class: "dsec", dataset: { sec: i } },
      el("h3", {}, el("span", { text: sectionTitle(sec) }),
        sec.required ? el("span", { class: "req", text: t("review.required") }) : null),
      sec.sentences.length ? null : el("p", { class: "muted empty", text: t("review.empty_section") }),
      el("ol", { class: "sentences" }, ...sec.sentences.map((s) => sentenceEl(s, i))),
      el("button", { type: "button", class: "add ghost", onclick: () => addSentence(i), text: t("review.add") }))));
    const un = $("#rv-unassigned");
    un.hidden = !(w.unassigned || []).length;
    $(".items", un).replaceChildren(...(w.unassigned || []).map((s) => sentenceEl(s, -1)));
    const ex = $("#rv-excluded");
    ex.hidden = !(w.excluded || []).length;
    $(".items", ex).replaceChildren(...(w.excluded || []).map(excludedEl));
    if (S.selected && !locate(S.selected)) S.selected = null;
    markSelected(false);
  }

  function citeLabel(cites) {
    if (!cites || !cites.length) return "";
    return cites.map((c) => `${fmtClock(c.start)}–${fmtClock(c.end)}`).join(", ");
  }

  function sentenceEl(s, secIdx) {
    const flags = (s.flags || []).filter((f) => FLAG_KEYS.includes(f));
    const moveTargets = S.working.sections.map((sec, i) => ({ i, title: sectionTitle(sec) })).filter((x) => x.i !== secIdx);
    const li = el("li", { class: "sentence" + (flags.length ? " flagged" : ""), tabindex: "0",
      dataset: { id: s.id, origin: s.origin || "draft" },
      onclick: (ev) => { if (!ev.target.closest("button, select, textarea")) selectSentence(s.id, true); } },
      flags.length ? el("span", { class: "flags" }, ...flags.map((f) => el("span", { class: `flag flag-${f}`, text: t(`flag.${f}`) }))) : null,
      el("span", { class: "text", text: s.text }),
      el("span", { class: "tools" },
        s.citations && s.citations.length
          ? el("button", { type: "button", class: "play", title: t("review.play"), "aria-label": t("review.play"),
            onclick: () => { selectSentence(s.id, true); } }, "▶ ", el("span", { class: "cite", text: citeLabel(s.citations) }))
          : el("span", { class: "cite muted", text: s.origin === "worker" ? t("review.own_text") : "" }),
        el("button", { type: "button", class: "edit", onclick: () => startEdit(s.id), text: t("review.edit") }),
        el("select", { class: "move", "aria-label": t("review.move"), onchange: (ev) => { moveSentence(s.id, Number(ev.target.value)); } },
          el("option", { value: "", text: secIdx < 0 ? t("review.place_in") : t("review.move_to") }),
          ...moveTargets.map((x) => el("option", { value: String(x.i), text: x.title }))),
        secIdx < 0
          ? el("button", { type: "button", class: "drop", onclick: () => dropUnassigned(s.id), text: t("review.drop") })
          : el("button", { type: "button", class: "delete", onclick: () => deleteSentence(s.id), text: t("review.delete") })));
    return li;
  }

  function excludedEl(item, idx) {
    return el("li", { class: "excluded-item" },
      el("span", { class: "text", text: item.text }),
      el("span", { class: "reason" }, el("strong", { text: t("review.reason") + " " }),
        el("span", { text: S.texts[`reason.${item.reason}`] ?? item.reason })),
      el("button", { type: "button", class: "restore", onclick: () => restoreExcluded(idx), text: t("review.restore") }));
  }

  function locate(id) {
    const w = S.working;
    if (!w) return null;
    for (let i = 0; i < w.sections.length; i++) {
      const j = w.sections[i].sentences.findIndex((s) => s.id === id);
      if (j >= 0) return { list: w.sections[i].sentences, index: j, sec: i };
    }
    const j = (w.unassigned || []).findIndex((s) => s.id === id);
    return j >= 0 ? { list: w.unassigned, index: j, sec: -1 } : null;
  }

  function sentenceNode(id) { return $$("#rv-draft .sentence").find((n) => n.dataset.id === id) || null; }

  function markSelected(scroll) {
    for (const n of $$("#rv-draft .sentence")) n.classList.toggle("selected", n.dataset.id === S.selected);
    const node = S.selected && sentenceNode(S.selected);
    if (node && scroll) { node.focus({ preventScroll: true }); node.scrollIntoView({ block: "nearest" }); }
  }

  function selectSentence(id, play) {
    S.selected = id;
    markSelected(true);
    const at = locate(id);
    highlight(at ? at.list[at.index].citations || [] : []);
    if (play && at) playSentence(at.list[at.index]);
  }

  function highlight(cites) {
    for (const n of $$("#rv-transcript .cited")) n.classList.remove("cited");
    let first = null;
    for (const c of cites) {
      const seg = $$("#rv-transcript .seg").find((n) => n.dataset.seg === c.segment);
      if (!seg) continue;
      const words = $$(".w", seg);
      let hit = words.filter((w) => Number(w.dataset.end) > c.start + 0.01 && Number(w.dataset.start) < c.end - 0.01);
      if (!hit.length) hit = words;  // a segment without word times: mark it whole
      for (const w of hit) w.classList.add("cited");
      first = first || hit[0];
    }
    if (first) {
      const pane = $("#rv-transcript");
      pane.scrollTop = Math.max(0, first.offsetTop - pane.offsetTop - pane.clientHeight / 3);
    }
  }

  function playSentence(s) {
    const cites = s.citations || [];
    if (!cites.length) { notice(t("review.no_source")); return; }
    playRange(Math.min(...cites.map((c) => c.start)), Math.max(...cites.map((c) => c.end)));
  }

  function playRange(start, end) {
    if (!S.contact) return;
    const audio = $("#rv-audio");
    audio.src = `/api/contacts/${encodeURIComponent(S.contact.id)}/audio?start=${start.toFixed(2)}&end=${end.toFixed(2)}`;
    audio.play().catch((e) => { if (e.name !== "AbortError") notice(t("review.play_failed"), "error"); });
  }

  function startEdit(id) {
    const node = sentenceNode(id);
    const at = locate(id);
    if (!node || !at) return;
    S.selected = id;
    markSelected(false);
    S.editing = id;
    const textNode = $(".text", node);
    const area = el("textarea", { class: "editor", rows: "2", "aria-label": t("review.edit") });
    area.value = at.list[at.index].text;
    let done = false;
    const finish = (commit) => {
      if (done) return;
      done = true;
      S.editing = null;
      commitEdit(id, commit ? area.value : null);
    };
    area.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); finish(true); }
      else if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); finish(false); }
    });
    // Leaving the field keeps what was typed: an edit is never lost by a stray click.
    area.addEventListener("blur", () => finish(true));
    const grow = () => { area.style.height = "auto"; area.style.height = `${area.scrollHeight}px`; };
    area.addEventListener("input", grow);
    textNode.replaceWith(area);
    grow();
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }

  function commitEdit(id, value) {
    const at = locate(id);
    if (at) {
      const s = at.list[at.index];
      const text = value === null ? null : value.replace(/\s+/g, " ").trim();
      if (text === null || text === s.text) {
        if (!s.text) at.list.splice(at.index, 1);  // a new sentence left empty is not kept
      } else if (!text) {
        if (!s.text) at.list.splice(at.index, 1);
        else notice(t("review.empty_edit"));
      } else {
        s.text = text;
        markDirty();
      }
    }
    renderDraft();
    if (locate(id)) { S.selected = id; markSelected(true); }
  }

  function addSentence(secIdx) {
    const s = { id: newId(), text: "", citations: [], flags: [], confidence: 1, origin: "worker" };
    S.working.sections[secIdx].sentences.push(s);
    renderDraft();
    startEdit(s.id);
  }

  function deleteSentence(id) {
    const at = locate(id);
    if (!at) return;
    const order = $$("#rv-draft .sentence").map((n) => n.dataset.id);
    const next = order[order.indexOf(id) + 1] || order[order.indexOf(id) - 1] || null;
    const [s] = at.list.splice(at.index, 1);
    S.lastDeleted = { s, sec: at.sec, index: at.index };
    $("#rv-undo").hidden = false;
    markDirty();
    S.selected = next;
    renderDraft();
    markSelected(true);
    notice(t("review.deleted"));
  }

  function undoDelete() {
    const d = S.lastDeleted;
    if (!d) return;
    const list = d.sec < 0 ? S.working.unassigned : S.working.sections[d.sec]?.sentences;
    if (!list) return;
    list.splice(Math.min(d.index, list.length), 0, d.s);
    S.lastDeleted = null;
    $("#rv-undo").hidden = true;
    S.selected = d.s.id;
    markDirty();
    renderDraft();
    markSelected(true);
  }

  function moveSentence(id, target) {
    const at = locate(id);
    const dest = S.working.sections[target];
    if (!at || !dest || Number.isNaN(target)) return;
    const [s] = at.list.splice(at.index, 1);
    dest.sentences.push(s);
    markDirty();
    S.selected = id;
    renderDraft();
    markSelected(true);
    notice(t("review.moved", { section: sectionTitle(dest) }));
  }

  function dropUnassigned(id) {
    const at = locate(id);
    if (!at || at.sec >= 0) return;
    const [s] = at.list.splice(at.index, 1);
    // Kept visible among the excluded items, so a dropped item can still be brought back.
    S.working.excluded = [...(S.working.excluded || []), { text: s.text, reason: "dropped_by_worker", citations: s.citations || [] }];
    markDirty();
    renderDraft();
  }

  async function restoreExcluded(idx) {
    const item = S.working.excluded[idx];
    if (!item) return;
    const reason = S.texts[`reason.${item.reason}`] ?? item.reason;
    if (!(await confirmDialog(t("review.restore_confirm", { reason })))) return;
    S.working.excluded.splice(idx, 1);
    const s = { id: newId(), text: item.text, citations: item.citations || [], flags: [], confidence: 1, origin: "draft" };
    S.working.unassigned = [...(S.working.unassigned || []), s];
    markDirty();
    S.selected = s.id;
    renderDraft();
    markSelected(true);
  }

  /* autosave */

  function markDirty() {
    S.dirty = true;
    S.version += 1;
    setSaveState("dirty");
    scheduleSave(AUTOSAVE_MS);
  }

  function scheduleSave(ms) {
    clearTimeout(S.saveTimer);
    S.saveTimer = setTimeout(() => { save(); }, ms);
  }

  async function save() {
    clearTimeout(S.saveTimer);
    if (S.saving) { await S.saving; if (!S.dirty) return true; }
    if (!S.working || !S.contact) return true;
    const version = S.version;
    const body = { working: S.working };
    setSaveState("saving");
    S.saving = (async () => {
      try {
        await api("PUT", `/api/contacts/${S.contact.id}/draft`, body);
        if (S.version === version) { S.dirty = false; setSaveState("saved_at"); }
        return true;
      } catch (e) {
        setSaveState("failed", e.message);
        if (e.status === 0) scheduleSave(10000);
        return false;
      }
    })();
    const ok = await S.saving;
    S.saving = null;
    if (ok && S.dirty) scheduleSave(AUTOSAVE_MS);
    return ok;
  }

  /* keyboard loop */

  function onKey(ev) {
    if (S.view !== "review" || $("dialog[open]")) return;
    const tag = ev.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || ev.target.isContentEditable) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const order = $$("#rv-draft .sentence").map((n) => n.dataset.id);
    const pos = order.indexOf(S.selected);
    const sel = S.selected && locate(S.selected);
    switch (ev.key) {
      case "j": if (order.length) selectSentence(order[Math.min(pos + 1, order.length - 1)], false); break;
      case "k": if (order.length) selectSentence(order[Math.max(pos - 1, 0)], false); break;
      case "e": if (sel) startEdit(S.selected); break;
      case "p": if (sel) playSentence(sel.list[sel.index]); break;
      case "m": if (sel) { const m = $(".move", sentenceNode(S.selected)); m.focus(); try { m.showPicker(); } catch (_) { /* focus is enough */ } } break;
      case "Delete": if (sel && sel.sec >= 0) deleteSentence(S.selected); break;
      case "?": $("#dlg-help").showModal(); break;
      case "Escape": $("#rv-audio").pause(); break;
      default: return;
    }
    ev.preventDefault();
  }

  /* ---------- 4. validation and report ---------- */

  function expectedName() { return S.user?.display_name || S.user?.username || ""; }
  const normName = (s) => s.normalize("NFC").replace(/\s+/g, " ").trim().toLowerCase();

  async function openValidate() {
    if (S.editing) document.activeElement.blur();
    if (!(await save())) { notice(t("validate.save_first"), "error"); return; }
    const w = S.working;
    const warnings = [];
    const flagged = w.sections.flatMap((s) => s.sentences).filter((s) => (s.flags || []).some((f) => FLAG_KEYS.includes(f))).length;
    if (flagged) warnings.push(t("validate.flagged", { n: flagged }));
    if ((w.unassigned || []).length) warnings.push(t("validate.unassigned", { n: w.unassigned.length }));
    for (const sec of w.sections) if (sec.required && !sec.sentences.length) warnings.push(t("validate.required_empty", { section: sectionTitle(sec) }));
    $("#validate-warnings").replaceChildren(...warnings.map((x) => el("li", { text: x })));
    $("#validate-expected").textContent = expectedName();
    $("#validate-name").value = "";
    $("#validate-confirm").disabled = true;
    showError($("#validate-error"), "");
    $("#dlg-validate").showModal();
    $("#validate-name").focus();
  }

  async function onValidate(ev) {
    ev.preventDefault();
    const worker_name = $("#validate-name").value.trim();
    if (normName(worker_name) !== normName(expectedName())) { showError($("#validate-error"), t("validate.name_mismatch")); return; }
    $("#validate-confirm").disabled = true;
    try {
      const report = await api("POST", `/api/contacts/${S.contact.id}/validation`, { confirm: true, worker_name });
      $("#dlg-validate").close();
      Object.assign(S, { working: null, original: null, transcript: null, dirty: false });
      $("#rv-audio").removeAttribute("src");
      S.contact = { ...S.contact, report_id: report.report_id, state: "validated" };
      showReport(report);
    } catch (e) {
      showError($("#validate-error"), e.message);
      $("#validate-confirm").disabled = false;
    }
  }

  async function openReport() {
    try { showReport(await api("GET", `/api/reports/${encodeURIComponent(S.contact.report_id)}`)); } catch (e) { notice(e.message, "error"); }
  }

  function showReport(report) {
    S.report = report;
    showView("report");
    renderReport(report);
  }

  function renderReport(r) {
    const sections = r.sections || r.final?.sections || [];
    $("#rp-title").textContent = r.template?.title || r.template?.id || "";
    $("#rp-dossier").textContent = r.dossier_ref || S.contact?.dossier_ref || "";
    const who = r.validated_by?.display_name || r.transparency?.validated_by || "";
    $("#rp-meta").textContent = t("report.meta", { version: r.version ?? 1, name: who, when: fmtMoment(r.validated_at || r.transparency?.validated_at) });
    $("#rp-sections").replaceChildren(...sections.map((sec) => el("section", {},
      el("h3", { text: sec.title || sec.id }),
      ...(sec.sentences || []).length
        ? sec.sentences.map((s) => el("p", { class: "report-sentence", text: typeof s === "string" ? s : s.text }))
        : [el("p", { class: "muted", text: t("review.empty_section") })])));
    $("#rp-transparency").textContent = r.transparency?.text || "";
    const id = encodeURIComponent(r.report_id);
    $("#rp-html").href = `/api/reports/${id}/html`;
    $("#rp-pdf").href = `/api/reports/${id}/pdf`;
  }

  /* ---------- wiring ---------- */

  async function boot() {
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
})();
