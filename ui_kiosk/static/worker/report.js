/* Worker screen: validating the reviewed draft (the worker types their name) and the validated report. */

import { S, api } from "./api.js";
import { save } from "./autosave.js";
import { $, el, notice, showError, showView } from "./dom.js";
import { FLAG_KEYS, sectionTitle } from "./review.js";
import { language, t } from "./texts.js";

function fmtMoment(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso || "";
  return new Intl.DateTimeFormat(language.code === "fr" ? "fr-BE" : "nl-BE",
    { dateStyle: "long", timeStyle: "short" }).format(d);
}

export function expectedName() { return S.user?.display_name || S.user?.username || ""; }
export const normName = (s) => s.normalize("NFC").replace(/\s+/g, " ").trim().toLowerCase();

export async function openValidate() {
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

export async function onValidate(ev) {
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

export async function openReport() {
  try { showReport(await api("GET", `/api/reports/${encodeURIComponent(S.contact.report_id)}`)); } catch (e) { notice(e.message, "error"); }
}

function showReport(report) {
  S.report = report;
  showView("report");
  renderReport(report);
}

export function renderReport(r) {
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
