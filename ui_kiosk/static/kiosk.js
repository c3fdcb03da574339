/* The client's consent screen. Follows the room's state (GET /api/kiosk/state, then SSE
   /api/kiosk/events with a fallback poll) and sends only the client's own touches: the answer,
   a revocation. It shows nothing about the client; the only data it ever holds is the receipt. */
"use strict";

(() => {
  const POLL_MS = 5000;            // fallback poll while the live stream is down
  const SAFETY_POLL_MS = 30000;    // and now and then anyway, in case a stream went quiet
  const OFFLINE_AFTER_MS = 20000;  // no answer from the box for this long: say so calmly
  const OUTCOME_MAX_MS = 60000;    // 'finished'/'declined' never linger longer than this here
  const RECEIPT_HOLD_MS = 180000;  // the receipt stays until closed, or this long
  const REVOKE_ARM_MS = 1200;      // right after 'yes' the stop control ignores a stray double tap
  const FETCH_TIMEOUT_MS = 8000;

  const GRANTED_STATES = ["ready", "recording", "paused"];
  const READ_KEYS = {
    idle: ["idle_title", "idle_body"],
    question: ["question_title", "question_recorded", "question_worker", "question_ai",
      "question_deleted", "question_no", "question_stop", "rights", "answer_yes", "answer_no"],
    ready: ["ready_title", "ready_body"],
    offline: ["offline_title", "offline_body"],
    unprovisioned: ["unprovisioned_title", "unprovisioned_body"],
  };

  const $ = (id) => document.getElementById(id);
  const ui = {
    server: null,        // last KioskState from the box
    receivedAt: 0,       // when it arrived (ms, monotonic)
    lastContact: 0,      // last time the box answered at all
    chosenLang: null,    // the client's own pick for this conversation, if any
    // The room's default language, as the box reports it when a question opens. The box keeps
    // reporting the last client's language afterwards; the next client must not inherit it.
    baseLang: "nl",
    texts: {},           // code -> texts, as served
    view: "idle",
    viewSince: 0,
    grantedHere: false,  // this screen sent 'granted' for the current conversation
    receipt: null,       // held receipt, shown until closed or RECEIPT_HOLD_MS
    receiptAt: 0,
    closedReceiptAt: null,
    dismissed: null,     // outcome the client already closed or that timed out here
    busy: false,
    answeredAt: -Infinity,
    player: null,
  };

  // ---- network ---------------------------------------------------------------------------

  async function request(path, options = {}) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), FETCH_TIMEOUT_MS);
    try {
      const response = await fetch(path, { ...options, signal: controller.signal, cache: "no-store" });
      ui.lastContact = performance.now();
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      return response;
    } finally {
      clearTimeout(timer);
    }
  }

  async function postJson(path, body) {
    const response = await request(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    return response.json();
  }

  async function poll() {
    try {
      const response = await request("/api/kiosk/state");
      applyState(await response.json());
    } catch (err) {
      render();
    }
  }

  let stream = null;
  function connect() {
    // EventSource reconnects by itself after a network error; it gives up only on a bad
    // answer (CLOSED), and then we start a fresh one.
    if (stream && stream.readyState !== EventSource.CLOSED) return;
    stream = new EventSource("/api/kiosk/events");
    stream.onopen = () => { ui.lastContact = performance.now(); };
    stream.onmessage = (event) => {
      ui.lastContact = performance.now();
      try { applyState(JSON.parse(event.data)); } catch (err) { /* a bad frame changes nothing */ }
    };
  }

  function streamOpen() { return stream !== null && stream.readyState === EventSource.OPEN; }

  // ---- texts and language ----------------------------------------------------------------

  function currentLang() {
    return ui.chosenLang || ui.baseLang;
  }

  async function loadTexts(code) {
    if (ui.texts[code]) return ui.texts[code];
    const response = await request(`/api/kiosk/texts/${encodeURIComponent(code)}`);
    const texts = await response.json();
    ui.texts[code] = texts;
    return texts;
  }

  function t(key) {
    const texts = ui.texts[currentLang()] || ui.texts.nl || {};
    return typeof texts[key] === "string" ? texts[key] : "";
  }

  function applyTexts() {
    const texts = ui.texts[currentLang()];
    if (!texts) return;
    const meta = texts._meta || {};
    document.documentElement.lang = meta.language || currentLang();
    document.documentElement.dir = meta.direction === "rtl" ? "rtl" : "ltr";
    for (const el of document.querySelectorAll("[data-text]")) {
      const text = texts[el.dataset.text];
      if (typeof text === "string") el.textContent = text;
    }
    $("languages").setAttribute("aria-label", texts.languages_label || "Taal");
    const readLabel = reading() ? texts.read_aloud_stop : texts.read_aloud;
    $("read-aloud").setAttribute("aria-label", readLabel);
    $("read-aloud-label").textContent = readLabel;
    renderLanguages(meta.languages || []);
  }

  function renderLanguages(languages) {
    const nav = $("languages");
    if (nav.childElementCount !== languages.length) {
      nav.replaceChildren(...languages.map((lang) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "lang";
        button.lang = lang.code;
        button.dir = lang.direction;
        button.dataset.lang = lang.code;
        button.textContent = lang.name;
        button.addEventListener("click", () => chooseLanguage(lang.code));
        return button;
      }));
    }
    for (const button of nav.children) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === currentLang()));
    }
  }

  async function chooseLanguage(code) {
    try {
      await loadTexts(code);
      ui.chosenLang = code;
      stopReading();
      render();
    } catch (err) {
      notify(t("error_generic"));
    }
  }

  // ---- state -----------------------------------------------------------------------------

  function applyState(state) {
    if (!state || typeof state.state !== "string") return;
    const before = ui.server ? ui.server.state : null;
    ui.server = state;
    ui.receivedAt = performance.now();
    const lang0 = typeof state.language === "string" ? state.language : null;
    if (state.state === "question" && before !== "question") {
      if (lang0) ui.baseLang = lang0;
      // A new question after another conversation's outcome is a new client. A pick made on the
      // idle screen is kept: that is this client, choosing while waiting.
      if (ui.view !== "idle") ui.chosenLang = null;
    }
    // Screen restarted mid-conversation: carry on in the language the client was using.
    if (before === null && state.state !== "idle") {
      const receiptLang = state.receipt && state.receipt.language;
      ui.chosenLang = (state.state === "revoked" ? receiptLang : lang0) || null;
    }
    if (state.state !== before) ui.dismissed = null;
    if (state.state === "question" && before !== "question") ui.grantedHere = false;
    if (state.state === "revoked" && state.receipt) holdReceipt(state.receipt);
    if (state.state === "question" || GRANTED_STATES.includes(state.state)) ui.receipt = null;
    const lang = currentLang();
    if (!ui.texts[lang]) loadTexts(lang).then(render, render);
    render();
  }

  function holdReceipt(receipt) {
    if (ui.receipt && ui.receipt.at === receipt.at) return;
    if (receipt.at === ui.closedReceiptAt) return; // the client closed this one already
    ui.receipt = receipt;
    ui.receiptAt = performance.now();
  }

  function viewFor(now) {
    if (ui.receipt && now - ui.receiptAt < RECEIPT_HOLD_MS) return "revoked";
    if (!streamOpen() && now - ui.lastContact > OFFLINE_AFTER_MS) return "offline";
    const state = ui.server ? ui.server.state : "idle";
    if (state === "out_of_service") return "unprovisioned";
    if (state === "question" || state === "ready") return state;
    if (state === "recording" || state === "paused") return "recording";
    if (state === "finished" || state === "declined") {
      if (ui.dismissed === state) return "idle";
      return "thanks";
    }
    return "idle"; // unknown or idle: the neutral screen, never a guess
  }

  function consentStands() {
    const server = ui.server;
    if (!server) return false;
    if (typeof server.consent_granted === "boolean") return server.consent_granted;
    return GRANTED_STATES.includes(server.state) || (server.state === "finished" && ui.grantedHere);
  }

  // ---- rendering -------------------------------------------------------------------------

  function render() {
    const now = performance.now();
    const view = viewFor(now);
    if (view !== ui.view) {
      if (view === "idle") { ui.chosenLang = null; ui.grantedHere = false; }
      ui.view = view;
      ui.viewSince = now;
      stopReading();
      setBusy(false);
    }
    applyTexts();
    document.body.dataset.view = view;
    for (const section of document.querySelectorAll(".view")) {
      section.hidden = section.dataset.for !== view;
    }
    const state = ui.server ? ui.server.state : "idle";
    if (view === "recording") renderRecording(state, now);
    if (view === "thanks") {
      $("thanks-title").textContent = t(`${state}_title`);
      $("thanks-body").textContent = t(`${state}_body`);
    }
    if (view === "revoked") renderReceipt(ui.receipt);
    const showRevoke = view !== "revoked" && view !== "offline" && view !== "unprovisioned" && view !== "question" && consentStands();
    $("revoke-bar").hidden = !showRevoke;
  }

  function renderRecording(state, now) {
    const paused = state === "paused";
    if (paused) document.body.dataset.paused = ""; else delete document.body.dataset.paused;
    $("recording-title").textContent = t(paused ? "paused_title" : "recording_title");
    let seconds = Number(ui.server.elapsed_seconds) || 0;
    if (!paused) seconds += (now - ui.receivedAt) / 1000;
    $("elapsed").textContent = mmss(seconds);
  }

  function mmss(seconds) {
    const whole = Math.max(0, Math.floor(seconds));
    const minutes = String(Math.floor(whole / 60)).padStart(2, "0");
    return `${minutes}:${String(whole % 60).padStart(2, "0")}`;
  }

  function fillList(id, items) {
    const list = $(id);
    const entries = (items && items.length ? items : [null]).map((item) => {
      const li = document.createElement("li");
      li.textContent = item === null ? t("receipt_nothing") : (t(`receipt_item_${item}`) || item);
      if (item !== null) li.dataset.item = item;
      return li;
    });
    list.replaceChildren(...entries);
  }

  function renderReceipt(receipt) {
    if (!receipt) return;
    fillList("receipt-stopped", receipt.stopped);
    fillList("receipt-deleted", receipt.deleted);
    fillList("receipt-kept", receipt.kept);
    $("receipt-contact").textContent = receipt.contact_info || "";
    const at = $("receipt-at");
    at.dateTime = receipt.at || "";
    try {
      at.textContent = new Intl.DateTimeFormat(currentLang(), { dateStyle: "long", timeStyle: "short" })
        .format(new Date(receipt.at));
    } catch (err) {
      at.textContent = receipt.at || "";
    }
  }

  // ---- the client's touches --------------------------------------------------------------

  function setBusy(busy) {
    ui.busy = busy;
    for (const button of document.querySelectorAll(".answer, .revoke")) button.disabled = busy;
  }

  async function answer(choice) {
    if (ui.busy || ui.view !== "question") return;
    ui.answeredAt = performance.now();
    window.__answeredAt = ui.answeredAt; // read by the browser tests
    setBusy(true);
    const lang = currentLang();
    const texts = ui.texts[lang] || {};
    try {
      const state = await postJson("/api/kiosk/consent", {
        choice,
        language: lang,
        text_version: (texts._meta && texts._meta.text_version) || (ui.server && ui.server.text_version),
        screen: ui.server && ui.server.screen, // the answer is for this question, no other
      });
      if (choice === "granted") ui.grantedHere = true;
      applyState(state);
    } catch (err) {
      notify(t("error_generic"));
      poll();
    } finally {
      setBusy(false);
    }
  }

  async function revoke() {
    const bar = $("revoke-bar");
    if (ui.busy || bar.hidden) return;
    if (performance.now() - ui.answeredAt < REVOKE_ARM_MS) return;
    setBusy(true);
    try {
      const result = await postJson("/api/kiosk/revoke", {
        language: currentLang(),
        screen: ui.server && ui.server.screen, // the consent of the contact on this screen
      });
      holdReceipt(result.receipt);
      render();
    } catch (err) {
      notify(t("error_generic"));
      poll();
    } finally {
      setBusy(false);
    }
  }

  function closeReceipt() {
    ui.closedReceiptAt = ui.receipt ? ui.receipt.at : null;
    ui.receipt = null;
    ui.dismissed = ui.server ? ui.server.state : null;
    render();
  }

  let noticeTimer = 0;
  function notify(text) {
    const notice = $("notice");
    notice.textContent = text;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { notice.textContent = ""; }, 8000);
  }

  // ---- read aloud ------------------------------------------------------------------------

  function readKeys() {
    if (ui.view === "recording") {
      const paused = ui.server && ui.server.state === "paused";
      return [paused ? "paused_title" : "recording_title"];
    }
    if (ui.view === "thanks") {
      const state = ui.server ? ui.server.state : "finished";
      return [`${state}_title`, `${state}_body`];
    }
    if (ui.view === "revoked" && ui.receipt) {
      const r = ui.receipt;
      const items = (list) => (list || []).map((item) => `receipt_item_${item}`);
      return ["revoked_title", "receipt_stopped_heading", ...items(r.stopped),
        "receipt_deleted_heading", ...items(r.deleted), "receipt_kept_heading", ...items(r.kept),
        "receipt_future", "receipt_contact_heading"];
    }
    return READ_KEYS[ui.view] || [];
  }

  function reading() { return ui.player !== null; }

  function stopReading() {
    if (ui.player) {
      ui.player.cancelled = true;
      ui.player.audio.pause();
      ui.player.urls.forEach((url) => URL.revokeObjectURL(url));
      ui.player = null;
    }
    $("read-aloud").setAttribute("aria-pressed", "false");
    applyTexts();
  }

  async function readAloud() {
    if (reading()) { stopReading(); return; }
    let keys = readKeys();
    if (consentStands() && !$("revoke-bar").hidden) keys = [...keys, "revoke_button", "revoke_hint"];
    const lang = currentLang();
    const player = { audio: new Audio(), urls: [], cancelled: false };
    ui.player = player;
    $("read-aloud").setAttribute("aria-pressed", "true");
    applyTexts();
    try {
      // Fetch all parts at once, play them in order: no gap while the next part is synthesised.
      const blobs = await Promise.all(keys.map((key) =>
        request(`/api/kiosk/speech/${encodeURIComponent(lang)}/${encodeURIComponent(key)}`)
          .then((response) => response.blob())));
      for (const blob of blobs) {
        if (player.cancelled) return;
        const url = URL.createObjectURL(blob);
        player.urls.push(url);
        player.audio.src = url;
        await new Promise((resolve, reject) => {
          player.audio.onended = resolve;
          player.audio.onerror = reject;
          player.audio.play().catch(reject);
        });
      }
    } catch (err) {
      if (!player.cancelled) notify(t("read_aloud_failed"));
    }
    if (ui.player === player) stopReading();
  }

  // ---- start -----------------------------------------------------------------------------

  function start() {
    $("answer-yes").addEventListener("click", () => answer("granted"));
    $("answer-no").addEventListener("click", () => answer("declined"));
    $("revoke").addEventListener("click", revoke);
    $("read-aloud").addEventListener("click", readAloud);
    $("print").addEventListener("click", () => window.print());
    $("close-receipt").addEventListener("click", closeReceipt);
    // No context menu, no accidental text selection: this is a touch panel, not a page.
    document.addEventListener("contextmenu", (event) => event.preventDefault());

    ui.lastContact = performance.now();
    loadTexts(currentLang()).then(render, render);
    poll();
    connect();
    setInterval(() => {
      const now = performance.now();
      const state = ui.server ? ui.server.state : "idle";
      if ((state === "finished" || state === "declined") && ui.view === "thanks" &&
          now - ui.viewSince > OUTCOME_MAX_MS) {
        ui.dismissed = state; // the box should have moved on by now; show the neutral screen
      }
      render();
    }, 500);
    setInterval(() => { if (!streamOpen()) { connect(); poll(); } }, POLL_MS);
    setInterval(poll, SAFETY_POLL_MS);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
