// "Notifications for this room": my level for the room (or my default) and a mute, for an
// hour, eight, a day, or until I turn it back on. A muted room still puts a direct mention
// or a reply to me in the inbox, silently; the server decides, this only asks. Part of the
// first screen's bundle: a chunk of its own split the shared ones into more first-screen
// files than the page should wait for.

import { api } from "./api.js";
import { h } from "./dom.js";
import { openDialog } from "./dialogs.js";
import { formatDateTime, t } from "./i18n.js";
import { activeRoom, roomTitle } from "./store.js";
import { roomMuted, roomPreference, setRoomPreference } from "./room-prefs.js";

const LEVELS = [
  ["default", "chat-room-notify-default"],
  ["all", "chat-room-notify-all"],
  ["mentions", "chat-room-notify-mentions"],
  ["nothing", "chat-room-notify-nothing"],
];
const MUTES = [
  ["none", "chat-room-notify-unmuted"],
  ["1", "chat-room-notify-mute-hour"],
  ["8", "chat-room-notify-mute-8-hours"],
  ["24", "chat-room-notify-mute-day"],
  ["forever", "chat-room-notify-mute-forever"],
];
const HOUR_MS = 3600 * 1000;

function radios(name, choices, checked, extra = null) {
  return [
    ...choices.map(([value, id]) => h("label", { class: "radio-choice" },
      h("input", { type: "radio", name, value, checked: value === checked }), " ", t(id))),
    extra,
  ];
}

export async function openRoomNotifications() {
  const room = activeRoom();
  if (!room) return;
  const current = roomPreference(room.id);
  const stillMuted = !current?.muted_forever && roomMuted(room.id);
  const mute = current?.muted_forever ? "forever" : stillMuted ? "until" : "none";
  // A timed mute that is on now stays one of the choices, as it is.
  const until = stillMuted
    ? h("label", { class: "radio-choice" }, h("input", { type: "radio", name: "mute", value: "until", checked: true }), " ",
      t("chat-room-notify-muted-until", { time: formatDateTime(current.muted_until) }))
    : null;
  const content = [
    h("fieldset", { class: "radio-group" }, h("legend", {}, t("chat-room-notify-level")),
      radios("level", LEVELS, current?.level || "default")),
    h("fieldset", { class: "radio-group" }, h("legend", {}, t("chat-room-notify-mute")),
      radios("mute", MUTES, mute, until)),
    h("p", { class: "field-hint" }, t("chat-room-notify-hint")),
  ];
  await openDialog({
    id: "room-notify-dialog",
    title: t("chat-room-notify-title", { room: roomTitle(room.view) }),
    content,
    submitLabel: t("chat-save"),
    onSubmit: async (form) => {
      const level = form.elements.level.value;
      const choice = form.elements.mute.value;
      const body = {
        level: level === "default" ? null : level,
        muted_until: choice === "until" ? current.muted_until
          : /^\d+$/.test(choice) ? new Date(Date.now() + Number(choice) * HOUR_MS).toISOString() : null,
        muted_forever: choice === "forever",
      };
      const path = `/api/v1/notifications/rooms/${encodeURIComponent(room.id)}`;
      if (!body.level && !body.muted_until && !body.muted_forever) {
        await api("DELETE", path);
        setRoomPreference(room.id, null);
      } else {
        setRoomPreference(room.id, await api("PUT", path, body));
      }
    },
  });
}
