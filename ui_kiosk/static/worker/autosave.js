/* Worker screen: the working copy is saved shortly after each change, and the screen says so. */

import { S, api } from "./api.js";
import { $ } from "./dom.js";
import { language, t } from "./texts.js";

const AUTOSAVE_MS = 1500;

export function setSaveState(state, detail) {
  const node = $("#rv-save-state");
  node.dataset.state = state;
  node.textContent = t(`save.${state}`, { detail: detail || "", time: new Date().toLocaleTimeString(language.code === "fr" ? "fr-BE" : "nl-BE", { hour: "2-digit", minute: "2-digit" }) });
}

export function markDirty() {
  S.dirty = true;
  S.version += 1;
  setSaveState("dirty");
  scheduleSave(AUTOSAVE_MS);
}

export function scheduleSave(ms) {
  clearTimeout(S.saveTimer);
  S.saveTimer = setTimeout(() => { save(); }, ms);
}

export async function save() {
  clearTimeout(S.saveTimer);
  if (S.saving) { await S.saving; if (!S.dirty) return true; }
  if (!S.working || !S.contact) return true;
  const version = S.version;
  const session = S.session;
  const body = { working: S.working };
  setSaveState("saving");
  S.saving = (async () => {
    try {
      await api("PUT", `/api/contacts/${S.contact.id}/draft`, body);
      if (S.session === session && S.version === version) { S.dirty = false; setSaveState("saved_at"); }
      return true;
    } catch (e) {
      if (S.session !== session) return false;  // the session ended: nothing is retried for it
      setSaveState("failed", e.message);
      if (e.status === 0) scheduleSave(10000);
      return false;
    }
  })();
  const ok = await S.saving;
  if (S.session !== session) return false;
  S.saving = null;
  if (ok && S.dirty) scheduleSave(AUTOSAVE_MS);
  return ok;
}
