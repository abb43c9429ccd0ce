// The message box: Enter sends, Shift+Enter (or an IME still composing) makes a new
// line; replies; ArrowUp (without Alt) in an empty box edits my last message; a draft per room;
// "typing" sent at most every few seconds; files from uploads.js attached on send. The
// draft is also saved to the server (debounced) so my other devices have it: they hear
// `draft`, and take it when their box is empty or not being typed in.

import { initAutocomplete } from "./autocomplete.js";
import { byId, h, userText } from "./dom.js";
import { registerEmojiProvider } from "./emoji-autocomplete.js";
import { formattingKey, initFormatting } from "./formatting.js";
import { registerMentionProvider } from "./mention-autocomplete.js";
import { halfSpaceKey, initHalfSpaceButton, insertAtCaret } from "./half-space.js";
import { formatNumber, t } from "./i18n.js";
import { authorName, previewText } from "./messages.js";
import { toast, toastError } from "./notify.js";
import { api } from "./api.js";
import { perform } from "./ops.js";
import { openFullPicker } from "./reactions.js";
import { initSchedule } from "./schedule.js";
import { socket } from "./socket.js";
import { activeRoom, canModerate, on, roomTitle, state } from "./store.js";
import { adoptOwnMessage, sendTyping } from "./sync.js";
import { editLastOwn } from "./timeline.js";
import { clearUploads, readyFileIds, uploadsBusy } from "./uploads.js";

const TYPING_EVERY_MS = 3000;

let form;
let input;
let context;
let counter;
let replyTo = null;
let lastTyping = 0;
let roomId = null;
let formatting = null;
const drafts = new Map();
/** room id → the text the server has, so an unchanged box is not saved again. */
const savedDrafts = new Map();
const DRAFT_SAVE_MS = 1000;
/** This tab's id in the `draft` events it causes, so it can ignore its own. */
const NONCE = globalThis.crypto?.randomUUID?.() || `tab-${Math.random().toString(36).slice(2)}`;
let draftTimer = null;
let draftPending = null;

/** Saves `text` as the room's draft on the server, unless it has it already. */
function saveDraft(room, text) {
  if ((savedDrafts.get(room) || "") === text) return;
  savedDrafts.set(room, text);
  api("PUT", `/api/v1/rooms/${encodeURIComponent(room)}/draft`, { body: text, client_nonce: NONCE })
    .catch(() => savedDrafts.delete(room));
}

/** Saves the pending draft now (leaving the room, or the page). */
function flushDraft() {
  clearTimeout(draftTimer);
  draftTimer = null;
  if (draftPending) saveDraft(draftPending.room, draftPending.text);
  draftPending = null;
}

function scheduleDraftSave() {
  if (!roomId) return;
  draftPending = { room: roomId, text: input.value };
  clearTimeout(draftTimer);
  draftTimer = setTimeout(flushDraft, DRAFT_SAVE_MS);
}

/** A draft from the server (on load, or another device's): shown when the box is free. */
function adoptDraft(room, text) {
  savedDrafts.set(room, text);
  if (room === roomId) {
    if (input.value === "" || document.activeElement !== input) {
      input.value = text;
      updateCounter();
    }
  } else {
    drafts.set(room, text);
  }
}

async function loadDrafts() {
  try {
    for (const draft of await api("GET", "/api/v1/drafts")) {
      if (draft.thread_id) continue;
      if (!drafts.get(draft.room_id)) adoptDraft(draft.room_id, draft.body);
    }
  } catch {
    // Drafts are a convenience: without them the box starts empty, as it always did.
  }
}

function onDraftFrame(frame) {
  if (frame.type !== "draft") return;
  const data = frame.data || {};
  if (data.client_nonce === NONCE || !data.draft || data.draft.thread_id) return;
  adoptDraft(data.draft.room_id, data.draft.body);
}

function limit() {
  return state.limits.message_max_chars || 4000;
}

function updateCounter() {
  const length = [...input.value].length;
  const max = limit();
  // Only worth showing when the end is near.
  counter.hidden = length < max * 0.9;
  counter.textContent = `${formatNumber(length)} / ${formatNumber(max)}`;
  counter.classList.toggle("composer-count-over", length > max);
}

export function setReply(message) {
  replyTo = message;
  if (!message) {
    context.hidden = true;
    context.replaceChildren();
    return;
  }
  const cancel = h("button", { type: "button", class: "icon-button icon-close", "aria-label": t("chat-reply-cancel"), title: t("chat-reply-cancel") });
  cancel.addEventListener("click", () => {
    setReply(null);
    input.focus();
  });
  context.replaceChildren(
    h("span", { class: "composer-context-label" }, t("chat-replying-to")),
    userText(authorName(message.author), "bdi", { class: "composer-context-author" }),
    h("span", { class: "composer-context-text", dir: "auto" }, previewText(message)),
    cancel,
  );
  context.hidden = false;
  input.focus();
}

/** Points the composer at another room, keeping each room's unsent text. */
function switchRoom() {
  const room = activeRoom();
  flushDraft();
  if (roomId) drafts.set(roomId, input.value);
  roomId = room?.id || null;
  input.value = (roomId && drafts.get(roomId)) || "";
  formatting?.closePreview();
  setReply(null);
  clearUploads();
  updateCounter();
  updateWritable();
}

function updateWritable() {
  const room = activeRoom();
  const locked = Boolean(room?.view.locked) && !canModerate(room);
  input.disabled = locked;
  form.querySelector("#send-button").disabled = locked;
  input.placeholder = locked ? t("chat-room-locked") : t("chat-composer-placeholder", { room: room ? roomTitle(room.view) : "" });
}

async function submit() {
  const room = activeRoom();
  if (!room) return;
  if (uploadsBusy()) {
    toast(t("chat-upload-wait"));
    return;
  }
  const body = input.value.trim();
  const attachments = readyFileIds(room.id);
  if (!body && !attachments.length) return;
  if ([...body].length > limit()) {
    toast(t("chat-message-too-long", { max: limit() }), "error");
    return;
  }
  const fields = { room_id: room.id, body, attachments };
  if (replyTo) fields.reply_to = replyTo.id;
  const sendButton = form.querySelector("#send-button");
  sendButton.disabled = true;
  try {
    const message = await perform("send", fields);
    // Sending ends "typing" on the server; the next keystroke must announce it again.
    lastTyping = 0;
    // Only clear what was sent: the user may have switched rooms meanwhile.
    // The server cleared the room's draft with the message.
    if (draftPending?.room === room.id) {
      clearTimeout(draftTimer);
      draftPending = null;
    }
    savedDrafts.set(room.id, "");
    if (roomId === room.id) {
      input.value = "";
      formatting.closePreview();
      setReply(null);
      clearUploads();
      updateCounter();
    } else {
      drafts.delete(room.id);
    }
    if (message?.id) adoptOwnMessage(message);
  } catch (error) {
    toastError(error);
  } finally {
    sendButton.disabled = false;
    if (roomId === room.id) input.focus();
  }
}

function onKeydown(event) {
  if (halfSpaceKey(event) || formattingKey(event, input)) return;
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
    event.preventDefault();
    submit();
  } else if (event.key === "Escape" && replyTo) {
    event.preventDefault();
    setReply(null);
  } else if (event.key === "ArrowUp" && !input.value && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
    // Plain ↑ only: Alt+↑ is "previous room" (shortcuts.js).
    if (editLastOwn()) event.preventDefault();
  }
}

function onInput() {
  updateCounter();
  scheduleDraftSave();
  const room = activeRoom();
  const now = Date.now();
  if (room && input.value.trim() && now - lastTyping > TYPING_EVERY_MS) {
    lastTyping = now;
    sendTyping(room);
  }
}

export function focusComposer() {
  if (!input.disabled) input.focus();
}

export function initComposer() {
  form = byId("composer");
  input = byId("composer-input");
  context = byId("composer-context");
  counter = byId("composer-count");
  input.maxLength = limit() + 100; // room to see the counter go red rather than a hard stop
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener("keydown", onKeydown);
  input.addEventListener("input", onInput);
  initHalfSpaceButton(input);
  formatting = initFormatting(input, () => roomId);
  // `:smi` suggests emoji; the button opens the whole picker, and what is picked goes in at the caret.
  initAutocomplete(input);
  registerEmojiProvider();
  registerMentionProvider();
  const emojiButton = byId("emoji-button");
  emojiButton.addEventListener("click", () => openFullPicker(input, (emoji) => insertAtCaret(input, emoji), emojiButton));
  on("active", switchRoom);
  socket.on("event", onDraftFrame);
  addEventListener("pagehide", flushDraft);
  initSchedule(() => input.value.trim(), () => {
    input.value = "";
    updateCounter();
    scheduleDraftSave();
  });
  loadDrafts();
  on("room", (id) => {
    if (id === roomId) updateWritable();
  });
  on("members", (id) => {
    if (id === roomId) updateWritable();
  });
  updateCounter();
}
