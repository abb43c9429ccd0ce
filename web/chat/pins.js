// Pinned and saved messages. A room's pins are loaded when it is opened and kept current by
// its `message.pinned` / `message.unpinned` events; the room header opens them as a panel
// with a jump to each. Saved messages are mine alone, across rooms, with a note: loaded at
// start, kept current by `saved.changed` (my other devices save too), listed from the user
// menu. An entry whose message I can no longer see says so and shows nothing of it.

import { api } from "./api.js";
import { field, openDialog } from "./dialogs.js";
import { byId, h, userText } from "./dom.js";
import { formatDateTime, t } from "./i18n.js";
import { authorName, previewText } from "./messages.js";
import { toast, toastError } from "./notify.js";
import { socket } from "./socket.js";
import { activeRoom, emit, isPinned, isSaved, off, on, roomTitle, state } from "./store.js";

const NOTE_MAX = 500;
let hooks = { open: async () => {} };


/** Redraws a message whose pin or saved state changed, wherever it is shown. */
function touch(roomId, messageId) {
  if (roomId && state.rooms.get(roomId)?.timeline?.messages.has(messageId)) {
    emit("message", { roomId, id: messageId });
  }
}

export async function loadPins(room) {
  try {
    const pins = await api("GET", `/api/v1/rooms/${encodeURIComponent(room.id)}/pins`);
    state.pins.set(room.id, new Map(pins.map((pin) => [pin.message.id, pin])));
    for (const pin of pins) touch(room.id, pin.message.id);
    emit("pins", room.id);
  } catch {
    // Without the list the menu offers "Pin"; pinning a pinned message changes nothing.
  }
}

async function loadSaved() {
  try {
    const page = await api("GET", "/api/v1/saved?limit=100");
    state.saved = new Map(page.items.map((entry) => [entry.message_id, entry]));
    emit("saved");
  } catch {
    // Retried on the next reconnect.
  }
}

/** The room's events: a pin or unpin anywhere, and a deleted message (unpinned with it). */
export function pinEvent(room, type, data) {
  const pins = state.pins.get(room.id);
  if (type === "message.pinned" && data.message) {
    pins?.set(data.message.id, data);
    touch(room.id, data.message.id);
  } else if (data.message_id || data.id) {
    const id = data.message_id || data.id;
    if (!pins?.delete(id)) return;
    touch(room.id, id);
  }
  emit("pins", room.id);
}

/** `saved.changed`: I saved or unsaved a message, here or on another device. */
export function savedEvent(data) {
  if (data.saved && data.entry) state.saved.set(data.message_id, data.entry);
  else state.saved.delete(data.message_id);
  touch(data.entry?.room_id || findRoomOf(data.message_id), data.message_id);
  emit("saved");
}

function findRoomOf(messageId) {
  for (const room of state.rooms.values()) if (room.timeline?.messages.has(messageId)) return room.id;
  return null;
}

export async function togglePin(room, message) {
  const pinned = isPinned(room, message.id);
  try {
    await api(pinned ? "DELETE" : "PUT", `/api/v1/messages/${encodeURIComponent(message.id)}/pin`);
    toast(t(pinned ? "chat-unpinned" : "chat-pinned"));
  } catch (error) {
    toastError(error);
  }
}

/** Save asks for an optional note; unsave just unsaves. */
export async function toggleSaved(message) {
  const path = `/api/v1/messages/${encodeURIComponent(message.id)}/saved`;
  if (isSaved(message.id)) {
    try {
      await api("DELETE", path);
      state.saved.delete(message.id);
      touch(message.room_id, message.id);
      toast(t("chat-unsaved"));
    } catch (error) {
      toastError(error);
    }
    return;
  }
  const note = h("textarea", { name: "note", rows: 2, dir: "auto", maxlength: NOTE_MAX });
  const saved = await openDialog({
    id: "save-dialog",
    title: t("chat-save-title"),
    content: [h("blockquote", { class: "report-quote", dir: "auto" }, previewText(message)), field(t("chat-save-note"), note, t("chat-save-note-hint"))],
    submitLabel: t("chat-save-submit"),
    onSubmit: async () => {
      const entry = await api("PUT", path, { note: note.value.trim() });
      state.saved.set(message.id, entry);
      touch(message.room_id, message.id);
      return true;
    },
  });
  if (saved) toast(t("chat-saved-done"));
}

function jumpButton(roomId, message, close) {
  return h("button", {
    type: "button", class: "button-secondary pin-jump", dataset: { messageId: message.id },
    onclick: () => {
      close();
      hooks.open(roomId, message.id, message.seq, message);
    },
  }, t("chat-jump-to-message"));
}

function messageSummary(message) {
  return [
    h("span", { class: "pin-author" }, userText(authorName(message.author))),
    h("span", { class: "pin-text", dir: "auto" }, previewText(message)),
  ];
}

/** Closes the open panel dialog (a jump leaves it). */
function closer(id) {
  return () => document.getElementById(id)?.close();
}

export async function openPins() {
  const room = activeRoom();
  if (!room) return;
  await loadPins(room);
  const close = closer("pins-dialog");
  const list = h("ol", { class: "pin-list", id: "pin-list" });
  const empty = h("p", { class: "pin-empty" }, t("chat-pins-empty"));
  const draw = () => {
    const pins = [...(state.pins.get(room.id)?.values() || [])]
      .sort((a, b) => (a.pinned_at < b.pinned_at ? 1 : -1));
    list.replaceChildren(...pins.map((pin) => h("li", { class: "pin-item", dataset: { messageId: pin.message.id } },
      ...messageSummary(pin.message),
      h("span", { class: "pin-meta" },
        pin.pinned_by ? t("chat-pinned-by", { name: authorName(pin.pinned_by) }) : null,
        " · ",
        h("time", { datetime: pin.pinned_at }, formatDateTime(pin.pinned_at))),
      jumpButton(room.id, pin.message, close))));
    empty.hidden = pins.length > 0;
  };
  draw();
  const redraw = (id) => {
    if (id === room.id) draw();
  };
  on("pins", redraw);
  await openDialog({
    id: "pins-dialog",
    title: t("chat-pins-title", { room: roomTitle(room.view) }),
    content: [list, empty],
    cancelLabel: t("chat-close"),
  });
  off("pins", redraw);
}

export async function openSaved() {
  await loadSaved();
  const close = closer("saved-dialog");
  const list = h("ol", { class: "pin-list", id: "saved-list" });
  const empty = h("p", { class: "pin-empty" }, t("chat-saved-empty"));
  const draw = () => {
    const entries = [...state.saved.values()].sort((a, b) => (a.saved_at < b.saved_at ? 1 : -1));
    list.replaceChildren(...entries.map((entry) => {
      const known = state.rooms.get(entry.room_id);
      const roomName = known ? roomTitle(known.view) : entry.room_name || "";
      const unsave = h("button", {
        type: "button", class: "button-secondary saved-remove",
        onclick: () => api("DELETE", `/api/v1/messages/${encodeURIComponent(entry.message_id)}/saved`)
          .then(() => savedEvent({ message_id: entry.message_id, saved: false }), toastError),
      }, t("chat-unsave-button"));
      return h("li", { class: entry.unavailable ? "pin-item saved-unavailable" : "pin-item", dataset: { messageId: entry.message_id } },
        entry.unavailable
          ? h("span", { class: "pin-text" }, t("chat-saved-unavailable"))
          : [h("bdi", { class: "pin-room" }, userText(roomName)), ...messageSummary(entry.message)],
        entry.note ? h("span", { class: "saved-note", dir: "auto" }, entry.note) : null,
        h("span", { class: "pin-meta" }, h("time", { datetime: entry.saved_at }, formatDateTime(entry.saved_at))),
        h("span", { class: "pin-buttons" },
          entry.unavailable ? null : jumpButton(entry.room_id, entry.message, close),
          unsave));
    }));
    empty.hidden = entries.length > 0;
  };
  draw();
  on("saved", draw);
  await openDialog({
    id: "saved-dialog",
    title: t("chat-saved-title"),
    content: [list, empty],
    cancelLabel: t("chat-close"),
  });
  off("saved", draw);
}

/** `hooks.open(roomId, messageId, seq)` opens a room at a message. */
export function initPins(next) {
  hooks = next;
  byId("room-pins-button").addEventListener("click", () => {
    openPins().catch(toastError);
  });
  byId("saved-button").addEventListener("click", () => {
    openSaved().catch(toastError);
  });
  on("active", () => {
    const room = activeRoom();
    if (room && !state.pins.has(room.id)) loadPins(room);
  });
  socket.on("ready", () => {
    loadSaved();
    // Pins changed while away are replayed as events, but a room not subscribed then is not.
    const room = activeRoom();
    if (room) loadPins(room);
  });
}
