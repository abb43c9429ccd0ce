// The member panel of the open room: who is online (live `presence` events), roles, and
// a click on a name to open the person's profile card. Plus the typing line under the timeline.

import { api } from "./api.js";
import { byId, h, userText } from "./dom.js";
import { initDrawer } from "./drawer.js";
import { currentLang, t } from "./i18n.js";
import { toastError } from "./notify.js";
import { activeRoom, emit, on, presence, state } from "./store.js";
import { avatar, authorName } from "./messages.js";

const ORDER = { online: 0, away: 1, offline: 2 };
let hooks = { profile: () => {}, closeThreads: () => {} };

export async function loadMembers(room) {
  try {
    const members = await api("GET", `/api/v1/rooms/${encodeURIComponent(room.id)}/members`);
    room.members = new Map(members.map((m) => [m.user.id, m]));
    room.view.member_count = members.length;
    emit("room", room.id);
    for (const m of members) presence.set(m.user.id, m.presence);
    emit("members", room.id);
    emit("presence");
  } catch (error) {
    toastError(error);
  }
}

function renderMembers() {
  const room = activeRoom();
  const listEl = byId("member-list");
  const heading = byId("members-heading");
  if (!room?.members) {
    listEl.replaceChildren();
    return;
  }
  const members = [...room.members.values()].sort((a, b) =>
    (ORDER[a.presence] ?? 3) - (ORDER[b.presence] ?? 3)
    || authorName(a.user).localeCompare(authorName(b.user), currentLang()));
  const online = members.filter((m) => m.presence !== "offline").length;
  heading.textContent = t("chat-members-heading", { count: members.length });
  byId("members-online").textContent = t("chat-members-online", { count: online });
  listEl.replaceChildren(...members.map((member) => {
    const name = h("button", {
      type: "button",
      class: "member-name",
      dataset: { profileUsername: member.user.username },
      "aria-haspopup": "dialog",
      title: t("chat-profile-open", { name: authorName(member.user) }),
    }, userText(authorName(member.user)), h("span", { class: "member-username", dir: "ltr" }, `@${member.user.username}`));
    return h("li", {
      class: `member member-${member.presence}`,
      dataset: { userId: member.user.id, presence: member.presence },
    },
    avatar(member.user),
    h("span", { class: "presence-dot", role: "img", "aria-label": t(`chat-presence-${member.presence}`) }),
    name,
    member.role !== "member" ? h("span", { class: "member-role" }, t(`chat-role-${member.role}`)) : null);
  }));
}

function renderTyping(roomId) {
  const room = activeRoom();
  if (!room || (roomId && roomId !== room.id)) return;
  const line = byId("typing");
  const names = [...room.typing.values()].map(({ user }) => authorName(user));
  let text = "";
  if (names.length === 1) text = t("chat-typing-one", { name: names[0] });
  else if (names.length === 2) text = t("chat-typing-two", { first: names[0], second: names[1] });
  else if (names.length > 2) text = t("chat-typing-several", { count: names.length });
  line.textContent = text;
  line.dataset.count = String(names.length);
}

export function initMembers(nextHooks) {
  hooks = { ...hooks, ...nextHooks };
  byId("member-list").addEventListener("click", (event) => {
    const button = event.target.closest("[data-profile-username]");
    if (button) hooks.profile(button.dataset.profileUsername);
  });
  // Shown beside the timeline on wide screens, behind the toggle on narrower ones, where
  // it is a drawer like the room list.
  const wide = window.matchMedia("(min-width: 64rem)");
  const chat = byId("chat");
  const toggle = byId("members-toggle");
  // An open thread panel takes the member list's place: the toggle then reads as not
  // expanded, and pressing it closes the thread and shows the list. (Registered before
  // the drawer's own click handler, which it stands in for then.)
  const threadOpen = () => chat.dataset.thread === "open";
  const syncToggle = () => {
    toggle.setAttribute("aria-expanded", String(chat.dataset.members === "shown" && !threadOpen()));
  };
  toggle.addEventListener("click", (event) => {
    if (!threadOpen()) return;
    event.stopImmediatePropagation();
    hooks.closeThreads();
    show(true, { focus: true });
  });
  const setDrawer = initDrawer({
    key: "members",
    values: ["shown", "hidden"],
    panel: byId("members"),
    toggle,
    scrim: document.querySelector(".members-scrim"),
    overlays: () => !wide.matches,
  });
  const show = (open, options) => {
    setDrawer(open, options);
    syncToggle();
  };
  show(wide.matches);
  on("thread.panel", syncToggle);
  // Crossing the breakpoint (rotating a tablet, resizing) resets to that width's default.
  wide.addEventListener("change", () => show(wide.matches));
  on("members", (roomId) => {
    if (roomId === state.activeRoomId) renderMembers();
  });
  on("active", () => {
    renderMembers();
    renderTyping();
  });
  on("typing", renderTyping);
}
