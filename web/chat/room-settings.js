// Room settings, behind the gear in the room header: name, topic, public or private, the
// invite code (and a link for public rooms), lock, retention, members with mute and kick,
// leave, and delete for owners. Each part is shown only to those the server lets use it
// (see ranks.js); everyone else sees the topic and may leave. Every change goes through
// the REST API, and the answer (or the `room.updated` event) updates header and sidebar.

import { api } from "./api.js";
import { field, openDialog } from "./dialogs.js";
import { h, userText } from "./dom.js";
import { formatDateTime, t } from "./i18n.js";
import { toast } from "./notify.js";
import { avatar, authorName } from "./messages.js";
import { moderate } from "./profile-card.js";
import { memberActions, roomPowers } from "./ranks.js";
import { activeRoom, emit, on, roomTitle } from "./store.js";
import { removeRoom } from "./sync.js";

const RETENTION_CHOICES = [null, 7, 30, 90, 365];
let hooks = { leave: async () => false, afterRemove: () => {}, profile: () => {} };

function path(room, suffix = "") {
  return `/api/v1/rooms/${encodeURIComponent(room.id)}${suffix}`;
}

/** Takes a RoomView answer into the store; the code is replaced, never merged. */
function adopt(room, view) {
  // Absent optional fields mean "none" (the server leaves them out), so they replace.
  room.view = { ...room.view, ...view, invite_code: view.invite_code ?? null, retention_days: view.retention_days ?? null };
  emit("rooms");
  emit("room", room.id);
}

function inviteLink(room) {
  return `${location.origin}/#join=${encodeURIComponent(room.id)}`;
}

async function copy(text, output) {
  try {
    await navigator.clipboard.writeText(text);
    toast(t("chat-invite-copied"));
  } catch {
    // No clipboard permission: select it so it can be copied by hand.
    getSelection()?.selectAllChildren(output);
  }
}

/** Invite code (private rooms) or link (public rooms), with copy and regenerate. */
function inviteSection(room, powers) {
  const section = h("section", { class: "settings-section", "aria-labelledby": "room-settings-invite" },
    h("h3", { id: "room-settings-invite", class: "dialog-subheading" }, t("chat-settings-invite")));
  const render = () => {
    const rows = [];
    if (room.view.kind === "public") {
      const link = h("output", { id: "room-invite-link", class: "invite-code invite-link", dir: "ltr" }, inviteLink(room));
      const button = h("button", { type: "button", class: "button-secondary", id: "room-invite-link-copy" }, t("chat-invite-copy-link"));
      button.addEventListener("click", () => copy(link.textContent, link));
      rows.push(h("p", { class: "field-hint" }, t("chat-settings-invite-link-hint")), h("div", { class: "invite-row" }, link, button));
    } else if (room.view.invite_code) {
      const code = h("output", { id: "room-invite-code", class: "invite-code", dir: "ltr" }, room.view.invite_code);
      const button = h("button", { type: "button", class: "button-secondary", id: "room-invite-code-copy" }, t("chat-invite-copy"));
      button.addEventListener("click", () => copy(code.textContent, code));
      const rotate = powers.owner
        ? h("button", { type: "button", class: "button-secondary", id: "room-invite-rotate" }, t("chat-invite-rotate"))
        : null;
      rotate?.addEventListener("click", async () => {
        try {
          adopt(room, await api("POST", path(room, "/invite-code")));
          render();
          toast(t("chat-invite-rotated"));
        } catch (error) {
          toast(error.message, "error");
        }
      });
      rows.push(h("p", { class: "field-hint" }, t("chat-invite-hint")), h("div", { class: "invite-row" }, code, button, rotate));
    }
    section.replaceChildren(section.firstChild, ...rows);
    section.hidden = rows.length === 0;
  };
  render();
  return { section, render };
}

function retentionSelect(room) {
  const current = room.view.retention_days ?? null;
  const choices = RETENTION_CHOICES.includes(current) ? RETENTION_CHOICES : [...RETENTION_CHOICES, current];
  return h("select", { id: "room-retention", name: "retention" },
    choices.map((days) => h("option", { value: days == null ? "" : String(days), selected: days === current },
      days == null ? t("chat-retention-forever") : t("chat-retention-days", { count: days, days }))));
}

/** The member list with mute/unmute and kick where the rank rules allow. */
function membersSection(room, errorLine) {
  const list = h("ul", { id: "room-settings-members", class: "settings-members" });
  const render = () => {
    const members = [...(room.members?.values() || [])]
      .sort((a, b) => authorName(a.user).localeCompare(authorName(b.user)));
    list.replaceChildren(...members.map((member) => {
      const allowed = memberActions(room, { ...member.user, role: null }, member);
      const muted = member.muted_until && new Date(member.muted_until) > new Date();
      const act = (kind, label, danger) => {
        const button = h("button", { type: "button", class: `button-secondary${danger ? " button-danger" : ""}`, dataset: { memberAction: kind } }, label);
        button.addEventListener("click", async () => {
          if (await moderate(kind, room, room.members.get(member.user.id) || member, errorLine)) render();
        });
        return button;
      };
      const name = h("button", { type: "button", class: "settings-member-name" },
        userText(authorName(member.user)), h("span", { class: "member-username", dir: "ltr" }, `@${member.user.username}`));
      name.addEventListener("click", () => hooks.profile(member.user.username));
      return h("li", { class: "settings-member", dataset: { username: member.user.username, muted: muted ? "true" : "false" } },
        avatar(member.user),
        h("div", { class: "settings-member-who" }, name,
          member.role !== "member" ? h("span", { class: "member-role" }, t(`chat-role-${member.role}`)) : null,
          muted ? h("span", { class: "member-muted", title: formatDateTime(member.muted_until) }, t("chat-member-muted")) : null),
        h("div", { class: "settings-member-actions" },
          allowed.mute ? (muted ? act("unmute", t("chat-unmute-button")) : act("mute", t("chat-mute-button"))) : null,
          allowed.kick ? act("kick", t("chat-kick-button"), true) : null));
    }));
  };
  render();
  on("members", (roomId) => {
    if (roomId === room.id && list.isConnected) render();
  });
  return h("section", { class: "settings-section", "aria-labelledby": "room-settings-members-title" },
    h("h3", { id: "room-settings-members-title", class: "dialog-subheading" }, t("chat-settings-members")), list);
}

/** Deleting asks for the room's name, typed, as GitHub and Mattermost do. */
async function deleteRoom(room) {
  const name = room.view.name;
  const input = h("input", { id: "room-delete-name", autocomplete: "off", dir: "auto", required: true });
  const done = await openDialog({
    id: "room-delete-dialog",
    title: t("chat-delete-room-title", { room: name }),
    content: [h("p", {}, t("chat-delete-room-warning")), field(t("chat-delete-room-type", { room: name }), input)],
    submitLabel: t("chat-delete-room-button"),
    onSubmit: async () => {
      if (input.value.trim() !== name.trim()) throw new Error(t("chat-delete-room-mismatch"));
      await api("DELETE", path(room));
      return true;
    },
  });
  if (done !== true) return false;
  toast(t("chat-room-deleted-by-me", { room: name }));
  removeRoom(room.id);
  hooks.afterRemove();
  return true;
}

/** Opens the dialog for the active room. */
export async function openRoomSettings() {
  const room = activeRoom();
  if (!room || room.view.kind === "direct") return;
  const powers = roomPowers(room);
  const errorLine = h("p", { class: "dialog-error", role: "alert", hidden: true });
  const content = [];
  let name;
  let topic;
  let visibility;
  let locked;
  let pinning;
  let retention;
  if (powers.moderate) {
    name = h("input", { id: "room-settings-name", value: room.view.name, maxlength: "80", dir: "auto", required: true });
    topic = h("textarea", { id: "room-settings-topic", rows: "2", maxlength: "500", dir: "auto" });
    topic.value = room.view.topic || "";
    content.push(field(t("chat-room-name"), name), field(t("chat-room-topic"), topic));
    if (powers.owner) {
      const radio = (value, label, hint) => h("label", { class: "choice" },
        h("input", { type: "radio", name: "visibility", value, checked: room.view.kind === value }),
        h("span", {}, h("strong", {}, label), h("small", {}, hint)));
      visibility = h("fieldset", { id: "room-settings-visibility", class: "choices" },
        h("legend", {}, t("chat-room-visibility")),
        radio("public", t("chat-room-public"), t("chat-room-public-hint")),
        radio("private", t("chat-room-private"), t("chat-room-private-hint")));
      content.push(visibility);
    }
    locked = h("input", { type: "checkbox", id: "room-settings-locked", checked: Boolean(room.view.locked) });
    content.push(h("label", { class: "check" }, locked, h("span", {}, t("chat-settings-lock"))));
    pinning = h("input", { type: "checkbox", id: "room-settings-members-can-pin", checked: Boolean(room.view.members_can_pin) });
    content.push(h("label", { class: "check" }, pinning, h("span", {}, t("chat-settings-members-can-pin"))));
    retention = retentionSelect(room);
    content.push(field(t("chat-settings-retention"), retention, t("chat-settings-retention-hint")));
  } else {
    content.push(h("p", { id: "room-settings-topic-text", class: "settings-topic", dir: "auto" }, room.view.topic || t("chat-settings-no-topic")));
  }
  const invite = inviteSection(room, powers);
  if (powers.moderate) content.push(invite.section);
  if (powers.moderate) content.push(membersSection(room, errorLine));
  content.push(errorLine);

  const leaveButton = h("button", { type: "button", id: "room-settings-leave", class: "button-secondary" }, t("chat-leave-button"));
  const deleteButton = powers.delete
    ? h("button", { type: "button", id: "room-settings-delete", class: "button-secondary button-danger" }, t("chat-delete-room-button"))
    : null;
  content.push(h("section", { class: "settings-section settings-danger", "aria-labelledby": "room-settings-danger" },
    h("h3", { id: "room-settings-danger", class: "dialog-subheading" }, t("chat-settings-danger")),
    h("div", { class: "settings-danger-buttons" }, leaveButton, deleteButton)));

  const closeDialog = () => document.getElementById("room-settings-dialog")?.close();
  leaveButton.addEventListener("click", async () => {
    closeDialog();
    await hooks.leave();
  });
  deleteButton?.addEventListener("click", async () => {
    closeDialog();
    await deleteRoom(room);
  });

  await openDialog({
    id: "room-settings-dialog",
    title: powers.moderate ? t("chat-settings-title", { room: roomTitle(room.view) }) : t("chat-about-title", { room: roomTitle(room.view) }),
    content,
    submitLabel: powers.moderate ? t("chat-settings-save") : null,
    cancelLabel: powers.moderate ? null : t("chat-close"),
    onSubmit: powers.moderate ? () => save(room, { name, topic, visibility, locked, pinning, retention }) : null,
  });
}

/** Sends only what changed, in turn; the first refusal stops and is shown in the dialog. */
async function save(room, { name, topic, visibility, locked, pinning, retention }) {
  const patch = {};
  if (name.value.trim() !== room.view.name) patch.name = name.value;
  if (topic.value.trim() !== (room.view.topic || "")) patch.topic = topic.value;
  const kind = visibility?.querySelector("input:checked")?.value;
  if (kind && kind !== room.view.kind) patch.visibility = kind;
  if (Object.keys(patch).length) adopt(room, await api("PATCH", path(room), patch));
  if (locked.checked !== Boolean(room.view.locked)) {
    adopt(room, await api(locked.checked ? "POST" : "DELETE", path(room, "/lock"), locked.checked ? { reason: "" } : undefined));
  }
  if (pinning.checked !== Boolean(room.view.members_can_pin)) {
    adopt(room, await api("PUT", path(room, "/pinning"), { members_can_pin: pinning.checked }));
  }
  const days = retention.value === "" ? null : Number(retention.value);
  if (days !== (room.view.retention_days ?? null)) {
    adopt(room, await api("PUT", path(room, "/retention"), { days }));
  }
  toast(t("chat-settings-saved"));
  return true;
}

export function initRoomSettings(nextHooks) {
  hooks = { ...hooks, ...nextHooks };
}
