// Keyboard shortcuts of the chat page, in one place: Ctrl/Cmd+K the quick switcher,
// Alt+↑/↓ the previous or next room in the sidebar, Alt+Shift+↑/↓ the previous or next
// unread room, "/" the message box, "?" the list of all shortcuts. Keys are read by
// position (`event.code`) as well, so they work on a Persian layout too, and never while
// an input method is composing.

import { openDialog } from "./dialogs.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { focusComposer } from "./composer.js";
import { openRoom } from "./room-view.js";
import { state } from "./store.js";
import { onDemand } from "./on-demand.js";
import { toastError } from "./notify.js";

const apple = /Mac|iPhone|iPad/.test(navigator.userAgentData?.platform || navigator.platform || "");

function typingIn(target) {
  return Boolean(target?.closest?.("input, textarea, select, [contenteditable=''], [contenteditable='true']"));
}

/** Room ids in the order the sidebar shows them (rooms, then conversations). */
function sidebarOrder() {
  return [...document.querySelectorAll("#room-list [data-room-id], #dm-list [data-room-id]")].map((el) => el.dataset.roomId);
}

/** The next room up (`step` -1) or down (+1); with `unread`, the next unread one, round the end. */
export function nextRoom(step, unread) {
  const order = sidebarOrder();
  if (!order.length) return null;
  const at = order.indexOf(state.activeRoomId);
  if (!unread) {
    const next = at < 0 ? (step > 0 ? 0 : order.length - 1) : at + step;
    return order[next] ?? null;
  }
  for (let i = 1; i <= order.length; i += 1) {
    const id = order[(((at < 0 ? (step > 0 ? -1 : 0) : at) + step * i) % order.length + order.length) % order.length];
    if (id !== state.activeRoomId && state.rooms.get(id)?.view.unread > 0) return id;
  }
  return null;
}

function keys(...parts) {
  return h("span", { class: "shortcut-keys", dir: "ltr" },
    parts.flatMap((part, i) => [i ? h("span", { class: "shortcut-plus", "aria-hidden": "true" }, "+") : null, h("kbd", {}, part)]));
}

function either(a, b) {
  return h("span", { class: "shortcut-either" }, a, h("span", { class: "shortcut-or" }, t("chat-shortcut-or")), b);
}

/** The "?" dialog: every shortcut of the page. */
export async function openShortcuts() {
  if (document.querySelector("dialog[open]")) return;
  const mod = t(apple ? "chat-key-command" : "chat-key-ctrl");
  const alt = t(apple ? "chat-key-option" : "chat-key-alt");
  const shift = t("chat-key-shift");
  const rows = [
    [keys(mod, "K"), "chat-shortcut-switcher"],
    [either(keys(alt, "↑"), keys(alt, "↓")), "chat-shortcut-rooms"],
    [either(keys(alt, shift, "↑"), keys(alt, shift, "↓")), "chat-shortcut-unread-rooms"],
    [keys("/"), "chat-shortcut-composer"],
    [keys("?"), "chat-shortcut-help"],
    [keys(t("chat-key-enter")), "chat-shortcut-send"],
    [keys(shift, t("chat-key-enter")), "chat-shortcut-newline"],
    [keys("↑"), "chat-shortcut-edit-last"],
    [keys(t("chat-key-escape")), "chat-shortcut-escape"],
    [keys(shift, t("chat-key-space")), "chat-shortcut-half-space"],
    [either(keys(mod, "B"), either(keys(mod, "I"), keys(mod, "E"))), "chat-shortcut-format"],
    [keys(mod, "K"), "chat-shortcut-link"],
  ];
  await openDialog({
    id: "shortcuts-dialog",
    title: t("chat-shortcuts-title"),
    content: h("dl", { class: "shortcut-list" },
      rows.map(([combo, id]) => h("div", { class: "shortcut-row", dataset: { shortcut: id } }, h("dt", {}, combo), h("dd", {}, t(id))))),
    cancelLabel: t("chat-close"),
  });
}

function onKeydown(event) {
  if (event.defaultPrevented || event.isComposing || event.keyCode === 229) return;
  const modal = document.querySelector("dialog[open]");
  const command = apple ? event.metaKey : event.ctrlKey || event.metaKey;
  if (command && !event.altKey && !event.shiftKey && (event.code === "KeyK" || event.key.toLowerCase() === "k")) {
    event.preventDefault();
    if (!modal) openSwitcher();
    return;
  }
  if (modal) return;
  if (event.altKey && !event.ctrlKey && !event.metaKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
    event.preventDefault();
    const id = nextRoom(event.key === "ArrowUp" ? -1 : 1, event.shiftKey);
    if (id && id !== state.activeRoomId) openRoom(id);
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;
  const slashKey = event.code === "Slash" || event.key === "/" || event.key === "?" || event.key === "؟";
  if (!slashKey) return;
  event.preventDefault();
  // The character decides where the layout has one ("/" is Shift+7 on some); the key's
  // position only where it types neither.
  const help = event.key === "?" || event.key === "؟" || (event.key !== "/" && event.shiftKey);
  if (help) openShortcuts();
  else focusComposer();
}

const switcher = onDemand(() => import("./switcher.js"));

function openSwitcher() {
  switcher().then((module) => module.openSwitcher(), toastError);
}

export function initShortcuts() {
  document.addEventListener("keydown", onKeydown);
  const button = document.getElementById("switcher-button");
  button?.addEventListener("click", openSwitcher);
  // The reminder on the button names the key this keyboard has.
  const hint = button?.querySelector(".switcher-button-keys");
  if (hint && apple) hint.textContent = t("chat-switcher-button-keys-mac");
}
