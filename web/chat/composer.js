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
/** The room composer's synced draft (see `draftBox`). */
let roomDraft = null;

// Drafts: a room's composer and a thread's (threads.js) each keep their text as a draft of
// the server's, keyed by room, or by room and thread.
const DRAFT_SAVE_MS = 1000;
/** This tab's id in the `draft` events it causes, so it can ignore its own. */
const NONCE = globalThis.crypto?.randomUUID?.() || `tab-${Math.random().toString(36).slice(2)}`;
/** draft key → unsent text of a draft no box shows now */
const drafts = new Map();
/** draft key → the text the server has, so an unchanged box is not saved again. */
const savedDrafts = new Map();
const draftBoxes = new Set();

function draftKey(room, thread) {
  return thread ? `${room}/${thread}` : room;
}

/** Saves `text` as the draft on the server, unless it has it already. */
function saveDraft({ room, thread, text }) {
  const key = draftKey(room, thread);
  if ((savedDrafts.get(key) || "") === text) return;
  savedDrafts.set(key, text);
  const body = { body: text, client_nonce: NONCE };
  if (thread) body.thread_id = thread;
  api("PUT", `/api/v1/rooms/${encodeURIComponent(room)}/draft`, body)
    .catch(() => savedDrafts.delete(key));
}

/**
 * Keeps a text box's text as a synced draft: `show({room, thread})` points it at a draft
 * (keeping the unsent text of the one it leaves), `changed()` after each keystroke saves it
 * debounced, `flush()` saves now, `sent()` forgets it (the server cleared it with the message).
 * A draft from the server (on load, or another device's) is shown when the box is free.
 * `refresh()` runs when the box's text was replaced.
 */
export function draftBox(box, refresh = () => {}) {
  let at = null;
  let pending = null;
  let timer = null;
  const flush = () => {
    clearTimeout(timer);
    timer = null;
    if (pending) saveDraft(pending);
    pending = null;
  };
  const keeper = {
    get at() {
      return at;
    },
    flush,
    changed() {
      if (!at) return;
      pending = { ...at, text: box.value };
      clearTimeout(timer);
      timer = setTimeout(flush, DRAFT_SAVE_MS);
    },
    show(next) {
      flush();
      if (at) drafts.set(draftKey(at.room, at.thread), box.value);
      at = next?.room ? { room: next.room, thread: next.thread || null } : null;
      box.value = (at && drafts.get(draftKey(at.room, at.thread))) || "";
      refresh();
    },
    sent(room, thread = null) {
      const key = draftKey(room, thread);
      if (pending && draftKey(pending.room, pending.thread) === key) {
        clearTimeout(timer);
        pending = null;
      }
      savedDrafts.set(key, "");
      drafts.delete(key);
    },
    adopt(key, text) {
      if (!at || draftKey(at.room, at.thread) !== key) return false;
      if (box.value === "" || document.activeElement !== box) {
        box.value = text;
        refresh();
      }
      return true;
    },
  };
  draftBoxes.add(keeper);
  addEventListener("pagehide", flush);
  return keeper;
}

function adoptDraft(room, thread, text) {
  const key = draftKey(room, thread);
  savedDrafts.set(key, text);
  for (const keeper of draftBoxes) if (keeper.adopt(key, text)) return;
  drafts.set(key, text);
}

async function loadDrafts() {
  try {
    for (const draft of await api("GET", "/api/v1/drafts")) {
      if (!drafts.get(draftKey(draft.room_id, draft.thread_id))) adoptDraft(draft.room_id, draft.thread_id, draft.body);
    }
  } catch {
    // Drafts are a convenience: without them the box starts empty, as it always did.
  }
}

function onDraftFrame(frame) {
  if (frame.type !== "draft") return;
  const data = frame.data || {};
  if (data.client_nonce === NONCE || !data.draft) return;
  adoptDraft(data.draft.room_id, data.draft.thread_id, data.draft.body);
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
  roomId = room?.id || null;
  roomDraft.show({ room: roomId });
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
    roomDraft.sent(room.id);
    if (roomId === room.id) {
      input.value = "";
      formatting.closePreview();
      setReply(null);
      clearUploads();
      updateCounter();
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
  roomDraft.changed();
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
  roomDraft = draftBox(input, updateCounter);
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
  initSchedule(() => input.value.trim(), () => {
    input.value = "";
    updateCounter();
    roomDraft.changed();
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
