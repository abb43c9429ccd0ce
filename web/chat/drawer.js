// A panel that slides over the page on narrow screens: the room list and the member list.
// One behaviour for both, as people expect of a drawer on a phone: the toggle opens it and
// moves focus inside; a tap on the backdrop, its close button or Escape (wherever focus is)
// closes it and gives focus back to the toggle.

import { byId } from "./dom.js";

/**
 * `key` is the `#chat` data attribute that shows the panel (`open`/`closed` by default);
 * `overlays()` says whether the panel covers the page now (otherwise it is a column and
 * Escape, backdrop and close button have nothing to do). Returns `set(open, {focus})`.
 */
export function initDrawer({ key, panel, toggle, scrim, overlays, values = ["open", "closed"] }) {
  const chat = byId("chat");
  const [openValue, closedValue] = values;
  const isOpen = () => chat.dataset[key] === openValue;
  const set = (open, { focus = false } = {}) => {
    chat.dataset[key] = open ? openValue : closedValue;
    toggle.setAttribute("aria-expanded", String(open));
    if (!focus || !overlays()) return;
    if (open) panel.querySelector("button, a[href], input, [tabindex='0']")?.focus();
    else toggle.focus();
  };
  toggle.addEventListener("click", () => set(!isOpen(), { focus: true }));
  scrim.addEventListener("click", () => set(false, { focus: true }));
  for (const button of panel.querySelectorAll("[data-drawer-close]")) {
    button.addEventListener("click", () => set(false, { focus: true }));
  }
  document.addEventListener("keydown", (event) => {
    // A dialog takes its own Escape; a drawer under it stays open.
    if (event.key !== "Escape" || event.defaultPrevented || document.querySelector("dialog[open]")) return;
    if (!isOpen() || !overlays()) return;
    event.preventDefault();
    set(false, { focus: true });
  });
  return set;
}
