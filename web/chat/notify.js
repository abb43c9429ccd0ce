// Telling the user things: toasts (announced politely by screen readers), a short beep
// for new messages (WebAudio, so no sound files), the unread count in the tab title, and
// mention pop-ups: one per room ("3 mentions in #room"), updated in place rather than
// stacked, both in the page and as a system notification when the user has allowed them.

import { byId, h, iconButton } from "./dom.js";
import { t } from "./i18n.js";
import { on, state } from "./store.js";

const TOAST_MS = 6000;
const BEEP_GAP_MS = 1500;

let baseTitle = document.title;
let audio = null;
let heardGesture = false;
let lastBeep = 0;
/** room id → { count, toast, notification }: mentions since the room was last opened. */
const mentionAlerts = new Map();
let openRoomFor = () => {};

/** `open(roomId)` is what a click on a mention pop-up does. */
export function initNotify({ open } = {}) {
  baseTitle = document.title;
  if (open) openRoomFor = open;
  // Opening the room is reading the mentions: its pop-ups go, and the count starts again.
  on("active", () => {
    if (state.activeRoomId) clearMentions(state.activeRoomId);
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && state.activeRoomId) clearMentions(state.activeRoomId);
  });
  // Browsers refuse to start audio before the user has interacted with the page; waiting
  // for a gesture avoids a console warning on every page load.
  const unlock = () => {
    heardGesture = true;
    if (audio?.state === "suspended") audio.resume().catch(() => {});
  };
  window.addEventListener("pointerdown", unlock, { once: true, capture: true });
  window.addEventListener("keydown", unlock, { once: true, capture: true });
}

/**
 * Shows a toast; `kind` is "info" or "error". A toast with `onOpen` is a link (its text is
 * a button) and stays until it is used or closed. Returns the toast.
 */
export function toast(text, kind = "info", { onOpen = null, dataset = null } = {}) {
  const region = byId("toasts");
  if (!region || !text) return null;
  const label = onOpen
    ? h("button", { type: "button", class: "toast-text toast-link", dir: "auto", onclick: onOpen }, text)
    : h("span", { class: "toast-text", dir: "auto" }, text);
  const item = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : null, dataset }, label);
  const close = iconButton("close", t("chat-close"), { class: "toast-close" });
  close.addEventListener("click", () => item.remove());
  item.append(close);
  region.append(item);
  if (!onOpen) setTimeout(() => item.remove(), TOAST_MS);
  return item;
}

/**
 * Someone mentioned me in `room` (titled `title`), which I am not reading. The room's
 * pop-up counts up in place; the system notification reuses the room's tag, so the
 * desktop shows one per room too.
 */
export function notifyMention(roomId, title, author) {
  const entry = mentionAlerts.get(roomId) || { count: 0, toast: null, notification: null };
  mentionAlerts.set(roomId, entry);
  entry.count += 1;
  const text = entry.count === 1
    ? t("chat-mention-toast", { name: author?.display_name || author?.username || "", room: title })
    : t("chat-mentions-popup", { count: entry.count, room: title });
  const open = () => openRoomFor(roomId);
  if (entry.toast?.isConnected) {
    entry.toast.querySelector(".toast-text").textContent = text;
    entry.toast.dataset.mentions = String(entry.count);
  } else {
    entry.toast = toast(text, "info", { onOpen: open, dataset: { mentionRoomId: roomId, mentions: entry.count } });
  }
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  try {
    const notification = new Notification(title, { body: text, tag: `anjoman-mentions-${roomId}`, renotify: true, lang: document.documentElement.lang });
    notification.addEventListener("click", () => {
      window.focus();
      open();
    });
    entry.notification = notification;
  } catch {
    // Some browsers allow notifications only from a service worker: the toast remains.
  }
}

/** Drops a room's mention pop-ups (the room is open now). */
export function clearMentions(roomId) {
  const entry = mentionAlerts.get(roomId);
  if (!entry) return;
  mentionAlerts.delete(roomId);
  entry.toast?.remove();
  entry.notification?.close();
}

/** Shows an error's (already localized) message. */
export function toastError(error) {
  toast(error?.message || t("chat-error-generic"), "error");
}

/** A short two-tone beep, if the user wants sounds and has touched the page. */
export function beep() {
  if (!state.me?.notification_sound || !heardGesture) return;
  const now = Date.now();
  if (now - lastBeep < BEEP_GAP_MS) return;
  lastBeep = now;
  try {
    audio ||= new AudioContext();
    const start = audio.currentTime;
    const gain = audio.createGain();
    gain.connect(audio.destination);
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.15, start + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.25);
    for (const [freq, at] of [[880, 0], [1320, 0.09]]) {
      const osc = audio.createOscillator();
      osc.type = "sine";
      osc.frequency.setValueAtTime(freq, start + at);
      osc.connect(gain);
      osc.start(start + at);
      osc.stop(start + at + 0.14);
    }
  } catch {
    // No audio device (or WebAudio disabled): silence is an acceptable fallback.
  }
}

let inboxCount = 0;
let drawIcon = () => {};

/** The inbox's unread count, which the title and the favicon show. */
export function setInboxCount(count, draw) {
  inboxCount = count;
  if (draw) drawIcon = draw;
  updateTitle();
}

/**
 * "(3) Anjoman" while three things that asked for me are unread (the inbox), and
 * "• Anjoman" while only messages are; the favicon carries the same count.
 */
export function updateTitle() {
  let unread = 0;
  for (const room of state.rooms.values()) unread += room.view.unread || 0;
  const title = inboxCount > 0
    ? t("chat-title-inbox", { count: inboxCount, title: baseTitle })
    : unread > 0 ? t("chat-title-unread-dot", { title: baseTitle }) : baseTitle;
  // Isolation marks help inside the page; some tab strips draw them as boxes.
  document.title = title.replace(/[\u2068\u2069]/g, "");
  drawIcon(inboxCount);
}
