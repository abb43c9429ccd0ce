// The inbox: what asked for me (mentions, @here/@room, replies, direct messages, highlight
// words), newest first, read and unread. Its count is the topbar badge, the favicon and the
// tab title, and stays the same on every device: the server says `notification.read`
// whenever something is read anywhere, reading the room included. When the tab is hidden,
// a reply, a direct message or a highlight word also shows as a system notification (a
// mention has its own, notify.js), once the user has allowed them from a button here (a
// browser asks only from a gesture, never on page load).

import { api } from "./api.js";
import { byId, h, userText } from "./dom.js";
import { formatDateTime, t } from "./i18n.js";
import { authorName, previewText } from "./messages.js";
import { toastError } from "./notify.js";
import { pushSubscribe } from "./push.js";
import { socket } from "./socket.js";
import { emit, roomTitle, state } from "./store.js";

const PAGE = 30;
const MENTIONS = new Set(["mention", "here", "room"]);
const KIND_TEXT = {
  mention: "chat-inbox-kind-mention",
  here: "chat-inbox-kind-here",
  room: "chat-inbox-kind-room",
  reply: "chat-inbox-kind-reply",
  direct: "chat-inbox-kind-direct",
  keyword: "chat-inbox-kind-keyword",
  thread: "chat-inbox-kind-thread",
  message: "chat-inbox-kind-message",
  scheduled_failed: "chat-inbox-kind-scheduled-failed",
};
/** Why a scheduled message was refused (its error code), as the end of a sentence. */
const SCHEDULED_REASON = {
  "room.muted": "chat-scheduled-reason-muted",
  "room.locked": "chat-scheduled-reason-locked",
  "room.not_member": "chat-scheduled-reason-not-member",
  "room.not_found": "chat-scheduled-reason-not-found",
  "auth.banned": "chat-scheduled-reason-banned",
  "dm.blocked": "chat-scheduled-reason-blocked",
};

const inbox = { items: new Map(), unread: 0, next: null, loaded: false, unreadOnly: false };
/** Counts the socket's inbox events, so a page asked for before one of them cannot undo it. */
let events = 0;
/** "full" or "room_only": what a system notification may show (the user's preference). */
let showContent = null;
let hooks = { open: async () => {} };

function setUnread(count) {
  inbox.unread = Math.max(0, count | 0);
  const badge = byId("inbox-badge");
  badge.hidden = inbox.unread === 0;
  badge.textContent = t("chat-inbox-badge", { count: inbox.unread });
  byId("inbox-button").setAttribute("aria-label", inbox.unread
    ? t("chat-inbox-button-unread", { count: inbox.unread })
    : t("chat-inbox-button"));
  emit("inbox", inbox.unread);
}

function roomName(room) {
  const known = state.rooms.get(room.id);
  return known ? roomTitle(known.view) : room.name;
}

/** "Your scheduled message to #room was not sent: you are muted". */
function scheduledText(notification) {
  const reason = t(SCHEDULED_REASON[notification.error_code] || "chat-scheduled-reason-other");
  return t("chat-inbox-scheduled-failed", { room: roomName(notification.room), reason });
}

function item(notification) {
  const { message, room } = notification;
  const meta = h("span", { class: "inbox-meta" },
    h("span", { class: "inbox-kind" }, t(KIND_TEXT[notification.kind] || "chat-inbox-kind-mention")),
    userText(roomName(room), "bdi", { class: "inbox-room" }),
    h("time", { datetime: notification.created_at }, formatDateTime(notification.created_at)));
  // A scheduled message not sent has no message: the reason, and the text that waits.
  const content = message
    ? [h("span", { class: "inbox-author" }, userText(authorName(message.author))),
      h("span", { class: "inbox-text", dir: "auto" }, previewText(message))]
    : [h("span", { class: "inbox-text inbox-scheduled-failed" }, scheduledText(notification)),
      notification.scheduled ? h("span", { class: "inbox-text", dir: "auto" }, notification.scheduled.body) : null];
  const open = h("button", {
    type: "button", class: "inbox-open",
    dataset: message ? { roomId: room.id, messageId: message.id, seq: message.seq } : { roomId: room.id },
    onclick: () => openNotification(notification),
  }, meta, ...content);
  return h("li", {
    class: notification.read ? "inbox-item" : "inbox-item inbox-unread",
    dataset: { notificationId: notification.id, kind: notification.kind },
  }, open);
}

function render() {
  const list = byId("inbox-list");
  const shown = [...inbox.items.values()]
    .filter((n) => !inbox.unreadOnly || !n.read)
    .sort((a, b) => (a.id < b.id ? 1 : -1));
  list.replaceChildren(...shown.map(item));
  byId("inbox-empty").hidden = !inbox.loaded || shown.length > 0;
  byId("inbox-more").hidden = !inbox.next;
  byId("inbox-read-all").disabled = inbox.unread === 0;
  permissionRow();
}

async function loadPage(before = null) {
  const params = new URLSearchParams({ limit: String(PAGE) });
  if (before) params.set("before", before);
  if (inbox.unreadOnly) params.set("unread", "true");
  const seen = events;
  const page = await api("GET", `/api/v1/notifications?${params}`);
  // An event that arrived meanwhile is newer than this page: it keeps its item and count.
  for (const n of page.items) if (!inbox.items.has(n.id)) inbox.items.set(n.id, n);
  inbox.next = page.next_before || null;
  inbox.loaded = true;
  if (events === seen) setUnread(page.unread_count);
}

async function reload() {
  inbox.items.clear();
  inbox.next = null;
  try {
    await loadPage();
  } catch (error) {
    toastError(error);
  }
  if (isOpen()) render();
}

function isOpen() {
  return !byId("inbox").hidden;
}

function setOpen(open) {
  const panel = byId("inbox");
  const button = byId("inbox-button");
  panel.hidden = !open;
  button.setAttribute("aria-expanded", String(open));
  if (open) {
    render();
    byId("inbox-title").focus();
  } else {
    button.focus();
  }
}

/** Opens the room at the message; the server marks the notification read with the room. */
async function openNotification(notification) {
  setOpen(false);
  if (!notification.read) {
    try {
      const answer = await api("POST", `/api/v1/notifications/${encodeURIComponent(notification.id)}/read`);
      markRead([notification.id], answer?.unread_count);
    } catch (error) {
      toastError(error);
    }
  }
  const { message } = notification;
  await hooks.open(notification.room.id, message?.id, message?.seq, message);
}

/** `ids` are read, or with `all` every one (of `roomId`, when given). */
function markRead(ids, unreadCount, roomId = null, all = false) {
  for (const n of inbox.items.values()) {
    if (all ? !roomId || n.room.id === roomId : ids?.includes(n.id)) n.read = true;
  }
  if (typeof unreadCount === "number") setUnread(unreadCount);
  if (isOpen()) render();
}

/** The button that asks for system notifications, or why they cannot show. */
function permissionRow() {
  const row = byId("inbox-permission");
  const supported = "Notification" in window;
  const permission = supported ? Notification.permission : "unsupported";
  row.hidden = permission === "granted";
  byId("inbox-permission-ask").hidden = permission !== "default";
  byId("inbox-permission-text").textContent = permission === "denied"
    ? t("chat-inbox-permission-denied")
    : permission === "unsupported" ? t("chat-inbox-permission-unsupported") : t("chat-inbox-permission-hint");
}

/** The user's choice of what a notification shows, asked for once, when first needed. */
async function contentChoice() {
  if (!showContent) {
    try {
      showContent = (await api("GET", "/api/v1/notifications/preferences")).show_content;
    } catch {
      // Unknown: show the least.
      return "room_only";
    }
  }
  return showContent;
}

/**
 * A system notification for an alert that arrives while the tab is hidden. Mentions have
 * theirs already, one per room and counted (notify.js), so they get no second one here.
 * During quiet hours (`held_until`) nothing pops up: the inbox keeps it, unread.
 */
async function systemNotification(notification) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  if (document.visibilityState === "visible" || MENTIONS.has(notification.kind)) return;
  const { message, room } = notification;
  const title = t(KIND_TEXT[notification.kind] || "chat-inbox-kind-mention");
  const body = !message
    ? scheduledText(notification)
    : (await contentChoice()) === "room_only"
    ? t("chat-inbox-alert-room-only", { room: roomName(room) })
    : t("chat-inbox-alert", { name: authorName(message.author), room: roomName(room), text: previewText(message) });
  try {
    const shown = new Notification(title, { body, tag: `anjoman-room-${room.id}`, renotify: true, lang: document.documentElement.lang });
    shown.addEventListener("click", () => {
      window.focus();
      openNotification(notification);
      shown.close();
    });
  } catch {
    // Some browsers allow notifications only from a service worker: the badge remains.
  }
}

function onFrame(frame) {
  const data = frame.data || {};
  if (frame.type.startsWith("notification")) events += 1;
  if (frame.type === "notification" && data.notification) {
    inbox.items.set(data.notification.id, data.notification);
    setUnread(data.unread_count);
    if (data.alert && !data.held_until) systemNotification(data.notification);
    if (isOpen()) render();
  } else if (frame.type === "notification.read") {
    markRead(data.ids || null, data.unread_count, data.room_id || null, Boolean(data.all));
  } else if (frame.type === "notification.removed") {
    for (const id of data.ids || []) inbox.items.delete(id);
    setUnread(data.unread_count);
    if (isOpen()) render();
  }
}

/** Draws the favicon: the brand's square, and the count on it while anything is unread. */
export function drawFavicon(count) {
  const link = document.querySelector("link[rel=icon]");
  if (!link) return;
  const canvas = document.createElement("canvas");
  canvas.width = 64;
  canvas.height = 64;
  const g = canvas.getContext("2d");
  if (!g) return;
  g.fillStyle = "#1f6f5c";
  g.beginPath();
  g.roundRect(4, 4, 56, 56, 14);
  g.fill();
  if (count > 0) {
    g.fillStyle = "#c62828";
    g.beginPath();
    g.arc(44, 20, 20, 0, Math.PI * 2);
    g.fill();
    g.fillStyle = "#ffffff";
    g.font = "bold 24px system-ui, sans-serif";
    g.textAlign = "center";
    g.textBaseline = "middle";
    g.fillText(count > 99 ? "99+" : t("chat-inbox-badge", { count }), 44, 21);
  }
  link.href = canvas.toDataURL("image/png");
  link.dataset.count = String(count);
}

export function initInbox(nextHooks) {
  hooks = { ...hooks, ...nextHooks };
  byId("inbox-button").addEventListener("click", () => setOpen(!isOpen()));
  byId("inbox-close").addEventListener("click", () => setOpen(false));
  byId("inbox-read-all").addEventListener("click", async () => {
    try {
      const answer = await api("POST", "/api/v1/notifications/read-all", {});
      markRead(null, answer?.unread_count ?? 0, null, true);
    } catch (error) {
      toastError(error);
    }
  });
  byId("inbox-more").addEventListener("click", async (event) => {
    event.currentTarget.disabled = true;
    try {
      await loadPage(inbox.next);
      render();
    } catch (error) {
      toastError(error);
    } finally {
      event.currentTarget.disabled = false;
    }
  });
  byId("inbox-unread-only").addEventListener("change", (event) => {
    inbox.unreadOnly = event.currentTarget.checked;
    reload();
  });
  byId("inbox-permission-ask").addEventListener("click", async () => {
    try {
      // The same click lets this device subscribe to pushes for when no tab is open.
      if ((await Notification.requestPermission()) === "granted") await pushSubscribe();
    } finally {
      permissionRow();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !isOpen() || event.defaultPrevented || document.querySelector("dialog[open]")) return;
    event.preventDefault();
    setOpen(false);
  });
  socket.on("event", onFrame);
  // After a reconnect the count may have moved while away.
  socket.on("ready", () => reload());
}
