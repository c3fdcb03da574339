/* Worker screen: reviewing the draft, sentence by sentence, with the keyboard loop (j/k/e/p/m/Delete). */

import { S, api } from "./api.js";
import { markDirty, setSaveState } from "./autosave.js";
import { $, $$, confirmDialog, currentView, el, fmtClock, notice, showView } from "./dom.js";
import { highlight, playSentence, renderTranscript } from "./source.js";
import { language, t } from "./texts.js";

export const FLAG_KEYS = ["low_confidence", "unverified"];

let idCounter = 0;
const newId = () => `w${Date.now().toString(36)}${(idCounter++).toString(36)}`;

export async function openReview() {
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

export function sectionTitle(sec) {
  // The draft carries the Dutch title; the template knows the title in the screen's language.
  const tpl = (S.templates || []).find((x) => x.id === S.working?.template?.id);
  const known = (tpl?.sections || []).find((x) => x.id === sec.id);
  return (known && known[`title_${language.code}`]) || sec.title || sec.id;
}

export function renderDraft() {
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
      el("span", { text: language.texts[`reason.${item.reason}`] ?? item.reason })),
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

export function undoDelete() {
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
  const reason = language.texts[`reason.${item.reason}`] ?? item.reason;
  if (!(await confirmDialog(t("review.restore_confirm", { reason })))) return;
  S.working.excluded.splice(idx, 1);
  const s = { id: newId(), text: item.text, citations: item.citations || [], flags: [], confidence: 1, origin: "draft" };
  S.working.unassigned = [...(S.working.unassigned || []), s];
  markDirty();
  S.selected = s.id;
  renderDraft();
  markSelected(true);
}

/* keyboard loop */

export function onKey(ev) {
  if (currentView() !== "review" || $("dialog[open]")) return;
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
