// The emoji picker: a small popover placed next to the button that opened it (CSS does
// the placing, so it mirrors in RTL), arrow keys move between emoji, Escape or a click
// elsewhere closes it and focus goes back to the opener.

import { h } from "./dom.js";
import { t } from "./i18n.js";

let open = null;

function close(restoreFocus = true) {
  if (!open) return;
  const { picker, opener, onOutside } = open;
  open = null;
  document.removeEventListener("pointerdown", onOutside, true);
  picker.remove();
  opener.setAttribute("aria-expanded", "false");
  if (restoreFocus && opener.isConnected) opener.focus();
}

export function openReactionPicker(opener, emoji, onPick) {
  const reopen = open?.opener === opener;
  close(false);
  if (reopen) return; // a second click on the same button toggles it shut

  const buttons = emoji.map((e) => h("button", {
    type: "button", class: "reaction-choice", dataset: { emoji: e }, "aria-label": t("chat-react-with", { emoji: e }),
  }, e));
  const picker = h("div", { class: "reaction-picker", role: "group", "aria-label": t("chat-react-button") }, buttons);
  picker.addEventListener("click", (event) => {
    const choice = event.target.closest("[data-emoji]");
    if (!choice) return;
    close();
    onPick(choice.dataset.emoji);
  });
  picker.addEventListener("keydown", (event) => {
    const index = buttons.indexOf(document.activeElement);
    const rtl = getComputedStyle(picker).direction === "rtl";
    const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1, Home: -Infinity, End: Infinity }[event.key];
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (step !== undefined) {
      event.preventDefault();
      const next = Number.isFinite(step) ? (index + step + buttons.length) % buttons.length : step < 0 ? 0 : buttons.length - 1;
      buttons[next].focus();
    }
  });
  const onOutside = (event) => {
    if (!picker.contains(event.target) && event.target !== opener) close(false);
  };
  document.addEventListener("pointerdown", onOutside, true);
  opener.setAttribute("aria-expanded", "true");
  opener.after(picker);
  open = { picker, opener, onOutside };
  buttons[0].focus();
}

export function closeReactionPicker() {
  close(false);
}
