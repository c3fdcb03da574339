// Small DOM helpers shared by the screens: element builder, dates in the screen's language, notices.
import { currentLang } from "./i18n.js";

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "text") node.textContent = v; else if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) if (c) node.append(c);
  return node;
}

export function date(iso) {
  if (!iso) return "";
  const d = new Date(iso.length === 10 ? `${iso}T12:00:00` : iso);
  return d.toLocaleDateString(currentLang() === "fr" ? "fr-BE" : "nl-BE", { day: "numeric", month: "long", year: "numeric" });
}

export function notice(text, ...extra) { $("notice").replaceChildren(text, ...extra); }
