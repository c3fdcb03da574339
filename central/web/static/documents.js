// Derived documents: build them from the dossier, review (edit, move, delete with undo, add), validate, export.
// Every change is sent whole to the server, which keeps each sentence's sources by its id.
import { api, ApiError } from "./api.js";
import { $, date, el, notice } from "./dom.js";
import { currentLang, t } from "./i18n.js";

const KINDS = ["sociaal_verslag", "voorstel_bcsd", "beslissingsbrief"];
let current = null;   // the document view the server last sent
let undo = null;      // { sectionId, index, id, text } of the last deleted sentence

export async function documentsSection(dossierId) {
  const data = await api("GET", `/api/dossiers/${dossierId}/documents`);
  const box = el("section", { class: "block", "aria-label": t("doc.documents"), id: "documents" },
                 el("h2", { text: t("doc.documents") }));
  const list = el("ul", { class: "items" });
  for (const d of data.documents) {
    const status = d.status === "validated" ? t("doc.validated_by", { by: d.validated_by || "", at: date(d.validated_at) })
                                            : t("doc.draft");
    list.append(el("li", { class: "item" },
      el("a", { href: `#/document/${encodeURIComponent(d.document_id)}/${d.version}` },
         `${t(`kind.${d.kind}`)} – ${t("doc.version", { v: d.version })}`),
      el("p", { text: status })));
  }
  if (!data.documents.length) box.append(el("p", { class: "none", text: t("dossier.none") }));
  box.append(list);
  for (const kind of KINDS.slice(0, 2)) {
    const b = el("button", { type: "button", id: `build-${kind}` }, t(`doc.build.${kind}`));
    b.addEventListener("click", () => build(dossierId, { kind }));
    box.append(el("p", {}, b));
  }
  box.append(decisionForm(dossierId));
  return box;
}

function field(id, label, input) {
  input.id = id;
  input.name = id;
  return el("p", {}, el("label", { for: id, text: label }), input);
}

function decisionForm(dossierId) {
  const form = el("form", { id: "decision-form", class: "decision", "aria-labelledby": "decision-title" },
                  el("h3", { id: "decision-title", text: t("decision.title") }),
                  el("p", { class: "legal", text: t("decision.hint") }));
  const outcomes = el("fieldset", {}, el("legend", { text: t("decision.outcome") }));
  for (const o of ["granted", "partly", "refused"]) {
    const radio = el("input", { type: "radio", name: "outcome", id: `outcome-${o}`, value: o });
    outcomes.append(el("p", { class: "radio" }, radio, el("label", { for: `outcome-${o}`, text: t(`decision.${o}`) })));
  }
  form.append(outcomes,
    field("decided-on", t("decision.decided_on"), el("input", { type: "date", required: "" })),
    field("amount", t("decision.amount"), el("input", { inputmode: "decimal", autocomplete: "off" })),
    field("start-date", t("decision.start_date"), el("input", { type: "date" })),
    field("motivation", t("decision.motivation"), el("textarea", { rows: "4", required: "" })),
    field("court-address", t("decision.court_address"), el("input", { autocomplete: "off", required: "" })),
    field("service", t("decision.service"), el("input", { autocomplete: "organization", required: "" })),
    field("contact-name", t("decision.contact_name"), el("input", { autocomplete: "off", required: "" })),
    field("contact-phone", t("decision.contact_phone"), el("input", { autocomplete: "off", required: "" })),
    el("p", { id: "decision-error", class: "error", role: "alert" }),
    el("button", { type: "submit" }, t("doc.build.beslissingsbrief")));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = (id) => form.querySelector(`#${id}`).value.trim();
    const outcome = form.querySelector("input[name=outcome]:checked");
    if (!outcome) { $("decision-error").textContent = t("decision.pick"); return; }
    build(dossierId, { kind: "beslissingsbrief", decision: {
      outcome: outcome.value, decided_on: v("decided-on"), amount: v("amount").replace(",", ".") || null,
      start_date: v("start-date") || null, motivation: v("motivation"), court_address: v("court-address"),
      service: v("service"), contact_name: v("contact-name"), contact_phone: v("contact-phone") } });
  });
  return form;
}

async function build(dossierId, body) {
  try {
    const view = await api("POST", `/api/dossiers/${dossierId}/documents`, { ...body, lang: currentLang() });
    location.hash = `#/document/${encodeURIComponent(view.document.document_id)}/${view.document.version}`;
  } catch (e) {
    const text = e instanceof ApiError && e.status === 409 ? t("doc.cannot_build", { why: e.message })
      : e instanceof ApiError && e.status === 422 ? t("decision.invalid") : t("error.generic");
    if (body.kind === "beslissingsbrief") $("decision-error").textContent = text; else notice(text);
  }
}

export async function renderDocument(id, version) {
  current = await api("GET", `/api/documents/${encodeURIComponent(id)}/${encodeURIComponent(version)}`);
  undo = null;
  draw();
}

function url() { return `/api/documents/${encodeURIComponent(current.document.document_id)}/${current.document.version}`; }

function payload() {
  return { sections: current.document.sections.map((s) => ({ id: s.id, sentences: s.sentences.map((x) => ({ id: x.id, text: x.text })) })) };
}

async function save(change, message) {
  const body = payload();
  change(body.sections);
  try {
    current = await api("PUT", url(), body);
    draw();
    if (message) notice(...message);
  } catch (e) {
    notice(e instanceof ApiError && e.status === 422 ? e.message : t("error.generic"));
  }
}

function sourceText(x) {
  if (x.origin === "worker") return t("src.worker", { who: x.author || "" });
  return x.sources.map((s) => s.kind === "template" ? t("src.template", { id: s.ref, v: s.version, clause: s.sentence_id })
    : s.kind === "decision" ? t("src.decision", { by: s.by || "", at: date(s.date) })
    : t("src.report", { text: s.text, at: date(s.date), by: s.by || "", ref: s.ref, v: s.version, sid: s.sentence_id })).join(" ← ");
}

function showSource(x) {
  const panel = $("source-panel");
  panel.replaceChildren(el("h2", { text: t("src.title") }), el("p", { text: sourceText(x) }),
    ...x.history.map((h) => el("p", { class: "history", text: t("src.older", { text: h.text, at: date(h.source.date), by: h.source.by || "" }) })));
}

function sentenceItem(section, x, index, editable) {
  const badge = el("span", { class: `badge origin-${x.origin}`, text: t(`origin.${x.origin}`) + (x.edited ? ` · ${t("origin.edited")}` : "") });
  const text = el("span", { class: "text", text: x.text });
  const li = el("li", { class: "sentence", tabindex: "0", title: sourceText(x), "data-id": x.id }, text, " ", badge);
  li.addEventListener("mouseenter", () => showSource(x));
  li.addEventListener("focus", () => showSource(x));
  if (x.history.length) li.append(el("p", { class: "history", text: t("src.history", { n: x.history.length }) }));
  if (!editable) return li;
  const tools = el("div", { class: "tools" });
  const button = (label, name, onClick) => {
    const b = el("button", { type: "button", class: `tool ${name}`, "aria-label": `${label}: ${x.text.slice(0, 60)}` }, label);
    b.addEventListener("click", onClick);
    tools.append(b);
  };
  button(t("rev.edit"), "edit", () => {
    const area = el("textarea", { rows: "3", "aria-label": t("rev.edit_label") });
    area.value = x.text;
    const ok = el("button", { type: "button", class: "save" }, t("rev.save"));
    ok.addEventListener("click", () => save((secs) => { secs.find((s) => s.id === section.id).sentences[index].text = area.value; }));
    li.replaceChildren(area, ok);
    area.focus();
  });
  button(t("rev.up"), "up", () => save((secs) => move(secs, section.id, index, section.id, index - 1)));
  button(t("rev.down"), "down", () => save((secs) => move(secs, section.id, index, section.id, index + 1)));
  const target = el("select", { "aria-label": t("rev.move_to"), class: "move-to" },
    ...current.document.sections.filter((s) => s.id !== section.id && !s.worker_only).map((s) => el("option", { value: s.id, text: s.title })));
  tools.append(target);
  button(t("rev.move"), "move", () => save((secs) => move(secs, section.id, index, target.value, Infinity)));
  button(t("rev.delete"), "delete", () => {
    undo = { sectionId: section.id, index, id: x.id, text: x.text };
    save((secs) => secs.find((s) => s.id === section.id).sentences.splice(index, 1), [t("rev.deleted")]);
  });
  li.append(tools);
  return li;
}

function move(secs, fromId, index, toId, to) {
  const from = secs.find((s) => s.id === fromId).sentences;
  const [item] = from.splice(index, 1);
  const dest = secs.find((s) => s.id === toId).sentences;
  dest.splice(Math.max(0, Math.min(to, dest.length)), 0, item);
}

function addForm(section) {
  const id = `add-${section.id}`;
  const area = el("textarea", { id, rows: "2" });
  const b = el("button", { type: "button", class: "add" }, t("rev.add"));
  b.addEventListener("click", () => { if (area.value.trim()) save((secs) => secs.find((s) => s.id === section.id).sentences.push({ id: null, text: area.value })); });
  return el("div", { class: "add-form" }, el("label", { for: id, text: t("rev.add_label", { section: section.title }) }), area, b);
}

function draw() {
  const doc = current.document, editable = current.status === "draft";
  $("document-title").textContent = `${doc.template.title} – ${t("doc.version", { v: doc.version })}`;
  const body = $("document-body");
  body.replaceChildren(el("p", { class: "doc-status", text: editable ? t("doc.draft") : t("doc.validated_by", { by: current.validated_by, at: date(current.validated_at) }) }),
    el("p", {}, el("a", { href: `#/dossier/${current.dossier_id}` }, t("report.back"))));
  if (editable && undo) {
    const back = el("button", { type: "button", id: "undo" }, t("rev.undo"));
    back.addEventListener("click", () => {
      const u = undo;
      undo = null;
      save((secs) => secs.find((s) => s.id === u.sectionId).sentences.splice(u.index, 0, { id: u.id, text: u.text }));
    });
    body.append(el("p", { class: "undo-bar" }, t("rev.deleted_text", { text: undo.text.slice(0, 80) }), " ", back));
  }
  if (current.checklist.length) {
    body.append(el("section", { class: "block checklist", "aria-label": t("doc.checklist") }, el("h2", { text: t("doc.checklist") }),
      el("ul", {}, ...current.checklist.map((c) => el("li", { class: c.present ? "present" : "missing",
        text: `${c.present ? "✓" : "✗"} ${c.label}${c.present ? "" : ` – ${t("doc.missing")}`}` })))));
  }
  for (const section of doc.sections) {
    const box = el("section", { class: "block doc-section", "aria-label": section.title, "data-section": section.id },
                   el("h2", { text: section.title }), el("p", { class: "legal", text: section.guidance }));
    box.append(el("ol", { class: "sentences" }, ...section.sentences.map((x, i) => sentenceItem(section, x, i, editable))));
    if (!section.sentences.length) box.append(el("p", { class: "none", text: t("dossier.none") }));
    if (editable) box.append(addForm(section));
    body.append(box);
  }
  if (doc.unassigned.length) {
    body.append(el("section", { class: "block", "aria-label": t("doc.unassigned") }, el("h2", { text: t("doc.unassigned") }),
      el("ul", { class: "sentences" }, ...doc.unassigned.map((x) => el("li", { class: "sentence", title: sourceText(x), text: x.text })))));
  }
  if (editable) {
    body.append(el("section", { class: "block", "aria-label": t("doc.validate") },
      el("h2", { text: t("doc.validate") }),
      el("ul", { id: "blocking", class: "error" }, ...current.blocking.map((p) => el("li", { text: p }))),
      validateButton()));
  } else {
    const fix = el("button", { type: "button", id: "correct" }, t("doc.correct"));
    fix.addEventListener("click", async () => {
      const next = await api("POST", `${url()}/correct`);
      location.hash = `#/document/${encodeURIComponent(next.document.document_id)}/${next.document.version}`;
    });
    body.append(el("section", { class: "block", "aria-label": t("doc.export") }, el("h2", { text: t("doc.export") }),
      el("p", {}, el("a", { href: `${url()}/pdf`, id: "export-pdf" }, "PDF"), " · ", el("a", { href: `${url()}/odt`, id: "export-odt" }, "ODT")),
      el("p", { class: "transparency", text: current.transparency?.text || "" }), fix));
  }
  document.title = `${doc.template.title} – Spreekkamer`;
}

function validateButton() {
  const b = el("button", { type: "button", id: "validate" }, t("doc.validate_button"));
  b.addEventListener("click", async () => {
    try { current = await api("POST", `${url()}/validate`); draw(); notice(t("doc.validated_notice")); }
    catch (e) {
      if (e instanceof ApiError && e.status === 409) { current = await api("GET", url()); draw(); notice(t("doc.not_yet")); }
      else notice(t("error.generic"));
    }
  });
  return b;
}
