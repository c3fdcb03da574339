/* Worker screen: the texts of the chosen language, with the Dutch words in the HTML as fallback. */

import { $$ } from "./dom.js";

export const language = { code: "nl", texts: {}, defaults: {} };

export function t(key, params) {
  let s = language.texts[key] ?? language.defaults[key] ?? key;
  for (const [k, v] of Object.entries(params || {})) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

export function applyTexts() {
  for (const el of $$("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of $$("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of $$("[data-i18n-aria]")) el.setAttribute("aria-label", t(el.dataset.i18nAria));
  for (const b of $$(".lang")) b.setAttribute("aria-pressed", String(b.dataset.lang === language.code));
  document.title = t("app.title");
}

export function captureDefaults() {
  // The Dutch words in the HTML are the fallback when the text files cannot be read.
  for (const el of $$("[data-i18n]")) language.defaults[el.dataset.i18n] = el.textContent;
}
