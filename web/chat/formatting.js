// Markdown formatting in a message box: the toolbar's bold, italic, code and link buttons
// and their shortcuts (Ctrl/Cmd+B, I, E, and K on selected text) wrap the selection in the markers the server
// renders, or take them off again; the preview shows the server's own rendering of the
// text, so what it shows is what will be sent. Edits go through the browser's text
// insertion, so Ctrl+Z undoes them like typing.

import { api } from "./api.js";
import { byId, h } from "./dom.js";
import { t } from "./i18n.js";
import { toastError } from "./notify.js";
import { richText } from "./rich-text.js";

const MARKERS = { bold: "**", italic: "_", code: "`" };
const SHORTCUTS = { b: "bold", i: "italic", e: "code", k: "link" };

function replaceSelection(input, text, selectFrom, selectTo) {
  const start = input.selectionStart;
  input.focus();
  // insertText keeps the undo history; setRangeText is the fallback where it is missing.
  if (!document.execCommand?.("insertText", false, text)) {
    input.setRangeText(text, input.selectionStart, input.selectionEnd, "end");
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }
  input.setSelectionRange(start + selectFrom, start + selectTo);
}

/** Wraps the selection in `marker` (or unwraps it); an empty selection gets a placeholder. */
function wrap(input, marker) {
  const { selectionStart: start, selectionEnd: end, value } = input;
  const selected = value.slice(start, end);
  const m = marker.length;
  if (value.slice(start - m, start) === marker && value.slice(end, end + m) === marker) {
    input.setSelectionRange(start - m, end + m);
    replaceSelection(input, selected, 0, selected.length);
    return;
  }
  if (marker === "`" && selected.includes("\n")) {
    const block = `\`\`\`\n${selected}\n\`\`\``;
    replaceSelection(input, block, 4, 4 + selected.length);
    return;
  }
  const text = selected || t("chat-format-placeholder");
  replaceSelection(input, `${marker}${text}${marker}`, m, m + text.length);
}

/** `[text](url)`: the URL is selected to be typed, or the text if the selection was a URL. */
function link(input) {
  const { selectionStart: start, selectionEnd: end, value } = input;
  const selected = value.slice(start, end);
  if (/^https?:\/\/\S+$/i.test(selected)) {
    const text = t("chat-format-link-text");
    replaceSelection(input, `[${text}](${selected})`, 1, 1 + text.length);
    return;
  }
  const text = selected || t("chat-format-link-text");
  const url = "https://";
  const at = text.length + 3;
  replaceSelection(input, `[${text}](${url})`, at, at + url.length);
}

export function applyFormat(input, format) {
  if (format === "link") link(input);
  else wrap(input, MARKERS[format]);
}

/**
 * Ctrl/Cmd+B, I, E in `input`, and K on selected text; true if the key was one of them.
 * Ctrl/Cmd+K with nothing selected is left to the page, where it opens the quick switcher
 * (as in Slack, Discord and Mattermost), so a half-typed message never traps it.
 */
export function formattingKey(event, input) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return false;
  const format = SHORTCUTS[event.key.toLowerCase()];
  if (!format) return false;
  if (format === "link" && input.selectionStart === input.selectionEnd) return false;
  event.preventDefault();
  applyFormat(input, format);
  return true;
}

/**
 * The composer's toolbar and preview. `roomId()` names the room the text is for, so the
 * preview shows mentions of its members as they will read.
 */
export function initFormatting(input, roomId) {
  const toolbar = byId("composer-format");
  const preview = byId("composer-preview");
  const previewButton = byId("format-preview");
  let generation = 0;

  function closePreview() {
    generation += 1;
    preview.hidden = true;
    preview.replaceChildren();
    previewButton.setAttribute("aria-pressed", "false");
  }

  async function openPreview() {
    const body = input.value.trim();
    const mine = ++generation;
    previewButton.setAttribute("aria-pressed", "true");
    preview.hidden = false;
    if (!body) {
      preview.replaceChildren(h("p", { class: "composer-preview-empty" }, t("chat-format-preview-empty")));
      return;
    }
    preview.setAttribute("aria-busy", "true");
    try {
      const { html } = await api("POST", "/api/v1/messages/preview", { body, room_id: roomId() || undefined });
      if (mine !== generation) return;
      preview.replaceChildren(h("div", { class: "message-body message-rich", dir: "auto" }, richText(html)));
    } catch (error) {
      if (mine === generation) closePreview();
      toastError(error);
    } finally {
      preview.removeAttribute("aria-busy");
    }
  }

  toolbar.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-format]");
    if (!button) return;
    if (button.dataset.format === "preview") {
      if (preview.hidden) openPreview();
      else closePreview();
      return;
    }
    applyFormat(input, button.dataset.format);
  });
  // The preview follows the text only on demand: it is closed again by typing.
  input.addEventListener("input", () => {
    if (!preview.hidden) closePreview();
  });
  return { closePreview };
}
