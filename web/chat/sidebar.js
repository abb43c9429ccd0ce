// The room list (rooms and direct conversations, most recently active first, with unread
// and mention badges and the last message), and the dialogs that add to it: create a
// room, join one (by invite code or from the public list), start a direct conversation.

import { api } from "./api.js";
import { field, openDialog } from "./dialogs.js";
import { byId, h, userText } from "./dom.js";
import { formatNumber, t } from "./i18n.js";
import { authorName, avatar, previewText } from "./messages.js";
import { toastError } from "./notify.js";
import { on, presence, roomTitle, state } from "./store.js";
import { addRoom } from "./sync.js";
import { openDirect, openRoom } from "./room-view.js";

function activity(room) {
  return room.view.last_message ? Date.parse(room.view.last_message.created_at) : 0;
}

function roomItem(room) {
  const view = room.view;
  const unread = view.unread || 0;
  const mentions = view.unread_mentions || 0;
  const last = view.last_message;
  const direct = view.kind === "direct" && view.peer;
  // In a conversation with one person, naming them again before each preview is noise.
  const named = last?.author && !last.deleted && !(direct && last.author.id === view.peer.id);
  const preview = last
    ? [named ? userText(authorName(last.author), "bdi", { class: "room-preview-author" }) : null,
      // The colon sits outside both isolates, so it follows the page's direction.
      named ? h("span", { class: "room-preview-sep", "aria-hidden": "true" }) : null,
      h("span", { class: "room-preview-text", dir: "auto" }, previewText(last))]
    : [h("span", { class: "room-preview-text" }, t("chat-room-no-messages"))];
  const icon = direct
    ? h("span", { class: `room-icon room-icon-direct presence-${presence.get(view.peer.id) || "offline"}`, "aria-hidden": "true" },
      avatar(view.peer))
    : h("span", { class: `room-icon room-icon-${view.kind}`, "aria-hidden": "true" });
  return h("li", {},
    h("button", {
      type: "button",
      class: `room-item${unread ? " room-item-unread" : ""}`,
      "aria-current": room.id === state.activeRoomId ? "page" : null,
      dataset: { roomId: room.id, kind: view.kind },
    },
    icon,
    h("span", { class: "room-text" },
      userText(roomTitle(view), "bdi", { class: "room-name" }),
      h("span", { class: "room-preview" }, preview)),
    h("span", { class: "room-badges" },
      mentions ? h("span", { class: "badge badge-mention", dataset: { mentions }, "aria-label": t("chat-mentions-count", { count: mentions }) },
        `@${formatNumber(mentions)}`) : null,
      unread ? h("span", { class: "badge badge-unread", dataset: { unreadCount: unread }, "aria-label": t("chat-unread-count", { count: unread }) },
        formatNumber(unread)) : null)));
}

function renderList() {
  const rooms = [...state.rooms.values()].sort((a, b) => activity(b) - activity(a)
    || roomTitle(a.view).localeCompare(roomTitle(b.view)));
  const groups = [
    ["room-list", rooms.filter((r) => r.view.kind !== "direct"), "chat-no-rooms"],
    ["dm-list", rooms.filter((r) => r.view.kind === "direct"), "chat-no-dms"],
  ];
  // Before the first answer there is nothing to say yet: skeletons, not "no rooms".
  const answered = byId("chat").dataset.rooms === "loaded";
  for (const [id, members, empty] of groups) {
    const list = byId(id);
    const focusedId = list.contains(document.activeElement) ? document.activeElement.dataset.roomId : null;
    if (!answered) {
      list.replaceChildren(...Array.from({ length: 3 }, () => h("li", { class: "room-skeleton", "aria-hidden": "true" },
        h("div", { class: "skeleton" }), h("div", { class: "skeleton" }))));
      continue;
    }
    list.replaceChildren(...(members.length
      ? members.map(roomItem)
      : [h("li", { class: "room-list-empty" }, t(empty))]));
    // Re-rendering must not throw keyboard users out of the list.
    if (focusedId) list.querySelector(`[data-room-id="${CSS.escape(focusedId)}"]`)?.focus();
  }
}

async function createRoom() {
  const name = h("input", { id: "create-room-name", maxlength: 80, required: true, dir: "auto", autofocus: true });
  const topic = h("input", { id: "create-room-topic", maxlength: 500, dir: "auto" });
  const choice = (value, label, hint, checked) => h("label", { class: "choice" },
    h("input", { type: "radio", name: "visibility", value, id: `create-room-${value}`, checked }),
    h("span", {}, h("strong", {}, label), h("small", {}, hint)));
  const content = [
    field(t("chat-room-name"), name),
    field(t("chat-room-topic"), topic),
    h("fieldset", { class: "choices" }, h("legend", {}, t("chat-room-visibility")),
      choice("public", t("chat-room-public"), t("chat-room-public-hint"), true),
      choice("private", t("chat-room-private"), t("chat-room-private-hint"), false)),
  ];
  await openDialog({
    id: "create-room-dialog",
    title: t("chat-create-room-title"),
    content,
    submitLabel: t("chat-create-room-submit"),
    onSubmit: async (form) => {
      if (!name.value.trim()) throw new Error(t("chat-room-name-required"));
      const visibility = form.querySelector('input[name="visibility"]:checked')?.value || "public";
      const view = await api("POST", "/api/v1/rooms", { name: name.value.trim(), topic: topic.value.trim(), visibility });
      addRoom(view);
      openRoom(view.id);
    },
  });
}

async function joinRoom() {
  const code = h("input", { id: "join-code", dir: "ltr", autocomplete: "off", autofocus: true });
  const publicList = h("ul", { id: "public-rooms", class: "public-rooms", "aria-busy": "true" },
    h("li", { class: "room-list-empty" }, t("chat-loading")));
  const joined = async (view) => {
    addRoom(view);
    byId("join-dialog")?.close();
    await openRoom(view.id);
  };
  publicList.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-join-room-id]");
    if (!button) return;
    const id = button.dataset.joinRoomId;
    if (state.rooms.has(id)) {
      byId("join-dialog")?.close();
      return openRoom(id);
    }
    button.disabled = true;
    try {
      await joined(await api("POST", `/api/v1/rooms/${encodeURIComponent(id)}/join`));
    } catch (error) {
      button.disabled = false;
      toastError(error);
    }
  });
  api("GET", "/api/v1/rooms/public").then((rooms) => {
    publicList.setAttribute("aria-busy", "false");
    publicList.replaceChildren(...(rooms.length ? rooms.map((room) => h("li", { class: "public-room" },
      h("span", { class: "public-room-text" },
        userText(room.name, "bdi", { class: "public-room-name" }),
        room.topic ? h("small", { dir: "auto" }, room.topic) : null,
        h("small", {}, t("chat-member-count", { count: room.member_count || 0 }))),
      h("button", { type: "button", class: "button-secondary", dataset: { joinRoomId: room.id } },
        state.rooms.has(room.id) ? t("chat-open-room") : t("chat-join-button"))))
      : [h("li", { class: "room-list-empty" }, t("chat-no-public-rooms"))]));
  }).catch(toastError);

  await openDialog({
    id: "join-dialog",
    title: t("chat-join-title"),
    content: [
      field(t("chat-join-code"), code, t("chat-join-code-hint")),
      h("h3", { class: "dialog-subheading" }, t("chat-public-rooms")),
      publicList,
    ],
    submitLabel: t("chat-join-submit"),
    onSubmit: async () => {
      const value = code.value.trim();
      if (!value) throw new Error(t("chat-join-code-required"));
      const view = await api("POST", "/api/v1/rooms/join", { code: value });
      addRoom(view);
      openRoom(view.id);
    },
  });
}

async function newDirect() {
  const search = h("input", { id: "dm-search", type: "search", dir: "auto", autocomplete: "off", autofocus: true });
  const results = h("ul", { id: "dm-results", class: "user-results" });
  let timer;
  let generation = 0;
  const lookup = async () => {
    const query = search.value.trim();
    const mine = ++generation;
    if (!query) return results.replaceChildren();
    try {
      const users = await api("GET", `/api/v1/users?${new URLSearchParams({ q: query, limit: "10" })}`);
      if (mine !== generation) return;
      const others = users.filter((u) => u.id !== state.me.id);
      results.replaceChildren(...(others.length ? others.map((user) => h("li", {},
        h("button", { type: "button", class: "user-result", dataset: { dmUsername: user.username } },
          h("span", { class: `presence-dot presence-${user.online ? "online" : "offline"}`, role: "img",
            "aria-label": t(user.online ? "chat-presence-online" : "chat-presence-offline") }),
          userText(authorName(user), "bdi", { class: "user-result-name" }),
          h("span", { class: "member-username", dir: "ltr" }, `@${user.username}`))))
        : [h("li", { class: "room-list-empty" }, t("chat-no-users"))]));
    } catch (error) {
      toastError(error);
    }
  };
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookup, 250);
  });
  results.addEventListener("click", (event) => {
    const button = event.target.closest("[data-dm-username]");
    if (!button) return;
    byId("dm-dialog")?.close();
    openDirect(button.dataset.dmUsername);
  });
  await openDialog({
    id: "dm-dialog",
    title: t("chat-dm-title"),
    content: [field(t("chat-dm-search"), search, t("chat-dm-search-hint")), results],
  });
}

export function initSidebar() {
  byId("sidebar").addEventListener("click", (event) => {
    const item = event.target.closest("[data-room-id]");
    if (item) openRoom(item.dataset.roomId);
  });
  for (const [id, open] of [["create-room-button", createRoom], ["join-room-button", joinRoom], ["new-dm-button", newDirect]]) {
    for (const button of document.querySelectorAll(`#${id}, [data-opens="${id}"]`)) button.addEventListener("click", open);
  }
  on("rooms", renderList);
  on("room", renderList);
  on("active", renderList);
  on("presence", renderList);
  renderList();
}
