/* Worker screen: the source pane of the review, the transcript with its audio, cited words marked. */

import { S } from "./api.js";
import { $, $$, el, fmtClock, notice } from "./dom.js";
import { t } from "./texts.js";

export function renderTranscript() {
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

export function highlight(cites) {
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

export function playSentence(s) {
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
