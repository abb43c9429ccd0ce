// Modal dialogs on the native <dialog> element: it traps focus, closes on Escape and
// restores focus to what opened it, which is most of what accessible modals need.

import { h, iconButton } from "./dom.js";
import { t } from "./i18n.js";

/**
 * Opens a modal. `content` is a node (or list); `onSubmit(form)` runs for the primary
 * button and may return false (or throw) to keep the dialog open. Resolves when closed.
 */
export function openDialog({ id, title, content, submitLabel, onSubmit, cancelLabel }) {
  const opener = document.activeElement;
  const heading = h("h2", { id: `${id}-title`, class: "dialog-title" }, title);
  const error = h("p", { class: "dialog-error", role: "alert", hidden: true });
  const form = h("form", { method: "dialog", class: "dialog-form", novalidate: true },
    h("div", { class: "dialog-header" }, heading,
      iconButton("close", t("chat-close"), { class: "dialog-close", dataset: { dialogClose: "" } })),
    h("div", { class: "dialog-body" }, content),
    error,
    h("div", { class: "dialog-actions" },
      h("button", { type: "button", class: "button-secondary", dataset: { dialogClose: "" } },
        cancelLabel || t("chat-cancel")),
      submitLabel ? h("button", { type: "submit", class: "button-primary" }, submitLabel) : null,
    ),
  );
  const dialog = h("dialog", { id, class: "dialog", "aria-labelledby": heading.id }, form);
  document.body.append(dialog);

  return new Promise((resolve) => {
    let result;
    const close = (value) => {
      result = value;
      if (dialog.open) dialog.close();
    };
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(result);
    });
    form.addEventListener("click", (event) => {
      if (event.target.closest("[data-dialog-close]")) close(undefined);
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!onSubmit) return close(true);
      const submit = form.querySelector('button[type="submit"]');
      // Some dialogs (the quick switcher) submit from a key, with no button.
      if (submit) submit.disabled = true;
      error.hidden = true;
      try {
        const value = await onSubmit(form);
        if (value !== false) close(value === undefined ? true : value);
      } catch (failure) {
        error.textContent = failure?.message || t("chat-error-generic");
        error.hidden = false;
      } finally {
        if (submit) submit.disabled = false;
      }
    });
    dialog.showModal();
    const first = dialog.querySelector("[autofocus], input, textarea, select");
    (first || form.querySelector('button[type="submit"]') || dialog).focus();
  });
}

/** A yes/no question; resolves true only on the confirming button. */
export async function confirmDialog(text, confirmLabel) {
  const answer = await openDialog({
    id: "confirm-dialog",
    title: t("chat-confirm-title"),
    content: h("p", { dir: "auto" }, text),
    submitLabel: confirmLabel,
  });
  return answer === true;
}

/** A labelled form field. */
export function field(label, input, hint) {
  const id = input.id || `field-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    input,
    hint ? h("p", { class: "field-hint" }, hint) : null,
  );
}
