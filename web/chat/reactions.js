// The quick reactions: a small popover placed next to the button that opened it (CSS does
// the placing, so it mirrors in RTL), arrow keys move between emoji, Escape or a click
// elsewhere closes it and focus goes back to the opener. Its last button opens the full
// emoji picker (emoji-picker.js, loaded then) for any other emoji.

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { toastError } from "./notify.js";
import { onDemand } from "./on-demand.js";

const fullPicker = onDemand(() => import("./emoji-picker.js"));

/**
 * The full picker, for a reaction or the composer; focus returns to `returnFocus`. The
 * first time, the picker and its data load first: `busy` (the button pressed) says so.
 */
export async function openFullPicker(returnFocus, onPick, busy = returnFocus) {
  busy.setAttribute("aria-busy", "true");
  try {
    const { openEmojiPicker } = await fullPicker();
    await openEmojiPicker({ returnFocus, onPick });
  } catch (error) {
    toastError(error);
  } finally {
    busy.removeAttribute("aria-busy");
  }
}

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
  const more = h("button", {
    type: "button", class: "reaction-choice reaction-more", "aria-label": t("chat-emoji-more"), title: t("chat-emoji-more"),
  }, "+");
  buttons.push(more);
  const picker = h("div", { class: "reaction-picker", role: "group", "aria-label": t("chat-react-button") }, buttons);
  picker.addEventListener("click", (event) => {
    if (event.target.closest(".reaction-more")) {
      close(false);
      openFullPicker(opener, onPick);
      return;
    }
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
