// The half-space (U+200C, zero-width non-joiner) that Persian needs inside words, as in
// «می‌خواهم»: Shift+Space types it, as on Persian keyboard layouts, and a composer button
// inserts it. Only after an Arabic-script letter: after Latin text Shift+Space stays a
// space, so an English typist holding Shift early gets no invisible character.

import { byId } from "./dom.js";
import { currentLang } from "./i18n.js";

const HALF_SPACE = "\u200c";
const ARABIC_SCRIPT = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/;
const AFTER_ARABIC_LETTER = new RegExp(`${ARABIC_SCRIPT.source}$`);

/** Inserts `text` at the caret (replacing a selection) and tells listeners the draft changed. */
export function insertAtCaret(field, text) {
  field.focus();
  field.setRangeText(text, field.selectionStart, field.selectionEnd, "end");
  field.dispatchEvent(new Event("input", { bubbles: true }));
}

/** Handles Shift+Space in a text field; true when it typed a half-space. */
export function halfSpaceKey(event) {
  const field = event.target;
  if (event.key !== " " || !event.shiftKey || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return false;
  if (!AFTER_ARABIC_LETTER.test(field.value.slice(0, field.selectionStart))) return false;
  event.preventDefault();
  insertAtCaret(field, HALF_SPACE);
  return true;
}

/** The composer's half-space button: always on Persian pages, elsewhere once the draft has Persian. */
export function initHalfSpaceButton(input) {
  const button = byId("half-space-button");
  const persianPage = currentLang().startsWith("fa");
  const update = () => { button.hidden = !persianPage && !ARABIC_SCRIPT.test(input.value); };
  button.addEventListener("click", () => insertAtCaret(input, HALF_SPACE));
  input.addEventListener("input", update);
  update();
  return update;
}
