// Telling the user things: toasts (announced politely by screen readers), a short beep
// for new messages (WebAudio, so no sound files), and the unread count in the tab title.

import { byId, h, iconButton } from "./dom.js";
import { t } from "./i18n.js";
import { state } from "./store.js";

const TOAST_MS = 6000;
const BEEP_GAP_MS = 1500;

let baseTitle = document.title;
let audio = null;
let heardGesture = false;
let lastBeep = 0;

export function initNotify() {
  baseTitle = document.title;
  // Browsers refuse to start audio before the user has interacted with the page; waiting
  // for a gesture avoids a console warning on every page load.
  const unlock = () => {
    heardGesture = true;
    if (audio?.state === "suspended") audio.resume().catch(() => {});
  };
  window.addEventListener("pointerdown", unlock, { once: true, capture: true });
  window.addEventListener("keydown", unlock, { once: true, capture: true });
}

/** Shows a toast; `kind` is "info" or "error". */
export function toast(text, kind = "info") {
  const region = byId("toasts");
  if (!region || !text) return;
  const item = h("div", { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : null },
    h("span", { class: "toast-text", dir: "auto" }, text),
  );
  const close = iconButton("close", t("chat-close"), { class: "toast-close" });
  close.addEventListener("click", () => item.remove());
  item.append(close);
  region.append(item);
  setTimeout(() => item.remove(), TOAST_MS);
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

/** "(3) Anjoman" while anything is unread. */
export function updateTitle() {
  let unread = 0;
  for (const room of state.rooms.values()) unread += room.view.unread || 0;
  // Isolation marks help inside the page; some tab strips draw them as boxes.
  document.title = unread > 0
    ? t("chat-title-unread", { count: unread, title: baseTitle }).replace(/[\u2068\u2069]/g, "")
    : baseTitle;
}
