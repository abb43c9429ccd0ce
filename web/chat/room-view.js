// Opening a room: the header (name, topic, members, invite code, leave), the timeline,
// the member list and the composer all follow `state.activeRoomId`. Also direct
// conversations, which are rooms opened by a person's username.

import { api } from "./api.js";
import { confirmDialog, openDialog } from "./dialogs.js";
import { byId, h, userText } from "./dom.js";
import { initDrawer } from "./drawer.js";
import { t } from "./i18n.js";
import { toast, toastError } from "./notify.js";
import { loadMembers } from "./members.js";
import { activeRoom, emit, on, roomTitle, state } from "./store.js";
import { addRoom, removeRoom } from "./sync.js";
import { focusComposer } from "./composer.js";
import { jumpTo, showTimeline } from "./timeline.js";
import { onDemand } from "./on-demand.js";
import { openRoomNotifications } from "./room-notify.js";
import { roomMuted } from "./room-prefs.js";
import { roomPowers } from "./ranks.js";
import { HASH_PREFIX, LAST_ROOM_KEY, addressedRooms } from "./early.js";

/** Opens a room (and, with `messageId`, scrolls to that message). */
export async function openRoom(id, { messageId = null, seq = null, focus = true } = {}) {
  const room = state.rooms.get(id);
  if (!room) return false;
  setSidebar(false);
  if (state.activeRoomId !== id) {
    state.activeRoomId = id;
    // The address remembers the room, so a reload comes back to it.
    history.replaceState(null, "", `${HASH_PREFIX}${encodeURIComponent(id)}`);
    try {
      sessionStorage.setItem(LAST_ROOM_KEY, id);
    } catch {
      // Storage may be off; the hash still works.
    }
    emit("active");
    showTimeline(room);
    if (!room.members) loadMembers(room);
  }
  if (messageId) await jumpTo(room, messageId, seq);
  else if (focus) focusComposer();
  return true;
}

/** The room to show first: the address, then this tab's last, then the newest. */
export function initialRoomId() {
  for (const id of addressedRooms()) if (state.rooms.has(id)) return id;
  return state.rooms.keys().next().value || null;
}

/** Opens (creating on first use) the direct conversation with `username`. */
export async function openDirect(username) {
  if (!username || username === state.me.username) return;
  try {
    const view = await api("POST", `/api/v1/dm/${encodeURIComponent(username)}`);
    addRoom(view);
    await openRoom(view.id);
  } catch (error) {
    toastError(error);
  }
}

function renderHeader() {
  const room = activeRoom();
  const chat = byId("chat");
  chat.dataset.view = room ? "room" : "empty";
  if (!room) return;
  const view = room.view;
  chat.dataset.roomKind = view.kind;
  byId("room-name").replaceChildren(userText(roomTitle(view)));
  const topic = byId("room-topic");
  topic.textContent = view.kind === "direct" && view.peer ? `@${view.peer.username}` : view.topic || "";
  topic.dir = "auto";
  topic.hidden = !topic.textContent;
  byId("room-meta").textContent = [
    t("chat-member-count", { count: view.member_count || 0 }),
    view.locked ? t("chat-room-locked-badge") : null,
  ].filter(Boolean).join(" · ");
  byId("room-invite-button").hidden = !view.invite_code;
  byId("room-leave-button").hidden = view.kind === "direct";
  const bell = byId("room-notify-button");
  const muted = roomMuted(room.id);
  bell.classList.toggle("is-muted", muted);
  const bellLabel = t(muted ? "chat-room-notify-button-muted" : "chat-room-notify-button");
  bell.setAttribute("aria-label", bellLabel);
  bell.title = bellLabel;
  const settings = byId("room-settings-button");
  settings.hidden = view.kind === "direct";
  // Moderators get the settings; everyone else the room's details and "Leave".
  const label = roomPowers(room).moderate ? t("chat-room-settings") : t("chat-room-about");
  settings.setAttribute("aria-label", label);
  settings.title = label;
}

async function showInvite() {
  const room = activeRoom();
  if (!room?.view.invite_code) return;
  const code = h("output", { id: "invite-code", class: "invite-code", dir: "ltr" }, room.view.invite_code);
  const copy = h("button", { type: "button", id: "invite-copy", class: "button-secondary" }, t("chat-invite-copy"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(code.textContent);
      toast(t("chat-invite-copied"));
    } catch {
      // No clipboard permission: select it so the user can copy by hand.
      getSelection()?.selectAllChildren(code);
    }
  });
  const mayRotate = room.view.owner_id === state.me.id;
  const rotate = mayRotate ? h("button", { type: "button", id: "invite-rotate", class: "button-secondary" }, t("chat-invite-rotate")) : null;
  rotate?.addEventListener("click", async () => {
    try {
      const view = await api("POST", `/api/v1/rooms/${encodeURIComponent(room.id)}/invite-code`);
      room.view.invite_code = view.invite_code;
      code.textContent = view.invite_code;
    } catch (error) {
      toastError(error);
    }
  });
  await openDialog({
    id: "invite-dialog",
    title: t("chat-invite-title", { room: roomTitle(room.view) }),
    content: [h("p", {}, t("chat-invite-hint")), h("div", { class: "invite-row" }, code, copy, rotate)],
    cancelLabel: t("chat-close"),
  });
}

/** After the open room went away (left or deleted): the next one, if any. */
function openNext() {
  const next = state.rooms.keys().next().value;
  if (next) openRoom(next);
}

async function leave() {
  const room = activeRoom();
  if (!room) return false;
  const owners = room.members ? [...room.members.values()].filter((m) => m.role === "owner") : [];
  // The server lets the last owner go; the room then has no owner to delete it or change
  // who may enter, which is worth saying before it happens.
  const lastOwner = owners.length === 1 && owners[0].user.id === state.me.id && room.members.size > 1;
  const question = lastOwner
    ? t("chat-leave-confirm-owner", { room: roomTitle(room.view) })
    : t("chat-leave-confirm", { room: roomTitle(room.view) });
  if (!(await confirmDialog(question, t("chat-leave-button")))) return false;
  try {
    await api("POST", `/api/v1/rooms/${encodeURIComponent(room.id)}/leave`);
    removeRoom(room.id);
    openNext();
    return true;
  } catch (error) {
    toastError(error);
    return false;
  }
}

/** An invite link (`/#join=<room id>`) joins that public room and opens it. */
export async function joinFromLink() {
  if (!location.hash.startsWith("#join=")) return null;
  const id = decodeURIComponent(location.hash.slice("#join=".length));
  history.replaceState(null, "", location.pathname);
  if (state.rooms.has(id)) return id;
  try {
    const view = await api("POST", `/api/v1/rooms/${encodeURIComponent(id)}/join`);
    addRoom(view);
    return view.id;
  } catch (error) {
    toastError(error);
    return null;
  }
}

/** Narrow screens: the room list slides over the timeline. */
const narrow = window.matchMedia("(max-width: 47.99rem)");
let sidebarDrawer = null;

export function setSidebar(open) {
  sidebarDrawer?.(open);
}

/** `hooks.profile(username)` opens a person's card (from the settings' member list). */
export function initRoomView(hooks) {
  const roomSettings = onDemand(async () => {
    const settings = await import("./room-settings.js");
    settings.initRoomSettings({ leave, afterRemove: openNext, profile: hooks.profile });
    return settings;
  });
  byId("room-invite-button").addEventListener("click", showInvite);
  byId("room-leave-button").addEventListener("click", leave);
  byId("room-notify-button").addEventListener("click", () => {
    openRoomNotifications().catch(toastError);
  });
  byId("room-settings-button").addEventListener("click", () => {
    roomSettings().then((settings) => settings.openRoomSettings(), toastError);
  });
  sidebarDrawer = initDrawer({
    key: "sidebar",
    panel: byId("sidebar"),
    toggle: byId("sidebar-toggle"),
    scrim: document.querySelector(".sidebar-scrim"),
    overlays: () => narrow.matches,
  });
  setSidebar(false);
  on("active", renderHeader);
  on("room", (id) => {
    if (id === state.activeRoomId) renderHeader();
  });
  on("rooms", renderHeader);
  on("resumed", () => {
    const room = activeRoom();
    if (room) loadMembers(room); // presence may have changed while we were away
  });
  renderHeader();
}
