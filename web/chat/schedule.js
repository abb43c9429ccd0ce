// Scheduled messages: the "Schedule" button beside Send opens a dialog to send the
// composer's text at a chosen time (the browser's local time, shown back in the page's
// language and digits), and lists what is waiting, to edit, cancel or send now.

import { api } from "./api.js";
import { field, openDialog } from "./dialogs.js";
import { byId, h, userText } from "./dom.js";
import { formatDateTime, t } from "./i18n.js";
import { toast, toastError } from "./notify.js";
import { activeRoom, roomTitle, state } from "./store.js";

/** `YYYY-MM-DDTHH:MM` in local time, what a datetime-local input reads and writes. */
function localValue(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function roomName(roomId) {
  const room = state.rooms.get(roomId);
  return room ? roomTitle(room.view) : "";
}

function row(item, redraw, edit) {
  const when = h("time", { datetime: item.send_at, class: "scheduled-when" }, formatDateTime(item.send_at));
  const actions = h("div", { class: "scheduled-actions" },
    h("button", { type: "button", class: "button-secondary", dataset: { action: "send" } }, t("chat-scheduled-send-now")),
    h("button", { type: "button", class: "button-secondary", dataset: { action: "edit" } }, t("chat-scheduled-edit")),
    h("button", { type: "button", class: "button-secondary", dataset: { action: "cancel" } }, t("chat-scheduled-cancel")));
  actions.addEventListener("click", async (event) => {
    const action = event.target.closest("[data-action]")?.dataset.action;
    if (!action) return;
    const path = `/api/v1/scheduled/${encodeURIComponent(item.id)}`;
    try {
      if (action === "send") {
        await api("POST", `${path}/send`);
        toast(t("chat-scheduled-sent"));
      } else if (action === "cancel") {
        await api("DELETE", path);
      } else {
        edit(item);
        return;
      }
      await redraw();
    } catch (error) {
      toastError(error);
    }
  });
  return h("li", { class: item.state === "failed" ? "scheduled-item scheduled-failed" : "scheduled-item", dataset: { scheduledId: item.id } },
    h("div", { class: "scheduled-meta" }, when, " · ", userText(roomName(item.room_id), "bdi"),
      item.state === "failed" ? h("span", { class: "scheduled-state" }, t("chat-scheduled-failed")) : null),
    userText(item.body, "p", { class: "scheduled-body", dir: "auto" }),
    actions);
}

/** Opens the dialog; `text` (the composer's) is what a new schedule sends. */
export async function openScheduleDialog(text, onScheduled) {
  const room = activeRoom();
  if (!room) return;
  let editing = null;
  const body = h("textarea", { name: "body", rows: "3", dir: "auto", required: true });
  body.value = text;
  const when = h("input", { type: "datetime-local", name: "send_at", required: true });
  when.value = localValue(new Date(Date.now() + 60 * 60 * 1000));
  const shown = h("p", { class: "field-hint scheduled-preview", "aria-live": "polite" });
  const showWhen = () => {
    const date = new Date(when.value);
    shown.textContent = Number.isNaN(date.getTime()) ? "" : formatDateTime(date.toISOString());
  };
  when.addEventListener("input", showWhen);
  showWhen();
  const list = h("ul", { class: "scheduled-list", id: "scheduled-list", "aria-label": t("chat-scheduled-title") });
  const edit = (item) => {
    editing = item;
    body.value = item.body;
    when.value = localValue(new Date(item.send_at));
    showWhen();
    body.focus();
  };
  const redraw = async () => {
    const items = await api("GET", "/api/v1/scheduled");
    list.replaceChildren(...(items.length
      ? items.map((item) => row(item, redraw, edit))
      : [h("li", { class: "scheduled-empty" }, t("chat-scheduled-empty"))]));
  };
  redraw().catch(toastError);
  await openDialog({
    id: "schedule-dialog",
    title: t("chat-schedule-title"),
    submitLabel: t("chat-schedule-submit"),
    content: [
      field(t("chat-schedule-body"), body),
      field(t("chat-schedule-when"), when),
      shown,
      h("h3", { class: "scheduled-heading" }, t("chat-scheduled-title")),
      list,
    ],
    onSubmit: async () => {
      const date = new Date(when.value);
      if (Number.isNaN(date.getTime())) throw new Error(t("chat-schedule-when-missing"));
      const fields = { body: body.value.trim(), send_at: date.toISOString() };
      if (editing) {
        await api("PATCH", `/api/v1/scheduled/${encodeURIComponent(editing.id)}`, fields);
        editing = null;
      } else {
        await api("POST", `/api/v1/rooms/${encodeURIComponent(room.id)}/scheduled`, fields);
        onScheduled?.();
      }
      toast(t("chat-schedule-done", { time: formatDateTime(fields.send_at) }));
      body.value = "";
      await redraw();
      // Stays open: the list shows what was just scheduled.
      return false;
    },
  });
}

export function initSchedule(composerText, clearComposer) {
  byId("schedule-button")?.addEventListener("click", () => {
    openScheduleDialog(composerText(), clearComposer).catch(toastError);
  });
}
