// The quick switcher (Ctrl+K or Cmd+K, or the sidebar's "Jump to" button): one box that
// finds rooms and people as you type, ranked (whole name, prefix, word start, letters in
// order), Persian spellings folded (fuzzy.js). ↑/↓ move through the list, Enter opens the
// room or the conversation with the person (starting it if need be), Escape closes and
// gives focus back.

import { api } from "./api.js";
import { field, openDialog } from "./dialogs.js";
import { byId, h, userText } from "./dom.js";
import { formatNumber, t } from "./i18n.js";
import { authorName } from "./messages.js";
import { openDirect, openRoom } from "./room-view.js";
import { roomTitle, state } from "./store.js";
import { bestScore } from "./fuzzy.js";

const SHOWN = 30;
const LOOKUP_MS = 200;

/** Rooms and direct conversations, in the sidebar's order where it has one. */
function roomCandidates() {
  const order = [...document.querySelectorAll("#room-list [data-room-id], #dm-list [data-room-id]")].map((el) => el.dataset.roomId);
  const rank = (id) => (order.includes(id) ? order.indexOf(id) : order.length);
  return [...state.rooms.values()].sort((a, b) => rank(a.id) - rank(b.id)).map((room, index) => {
    const view = room.view;
    const direct = view.kind === "direct" && view.peer;
    return {
      key: `room:${room.id}`,
      kind: direct ? "direct" : "room",
      roomId: room.id,
      title: roomTitle(view),
      detail: direct ? `@${view.peer.username}` : "",
      texts: direct ? [roomTitle(view), view.peer.username] : [view.name],
      unread: view.unread || 0,
      order: index,
      peerId: direct ? view.peer.id : null,
    };
  });
}

/** People the client knows (members of loaded rooms) plus what the user search found. */
function personCandidates(found) {
  const people = new Map();
  for (const room of state.rooms.values()) {
    for (const member of room.members?.values() || []) people.set(member.user.id, member.user);
  }
  for (const user of found) people.set(user.id, user);
  people.delete(state.me.id);
  return [...people.values()].map((user, index) => ({
    key: `person:${user.id}`,
    kind: "person",
    userId: user.id,
    username: user.username,
    title: authorName(user),
    detail: `@${user.username}`,
    texts: [user.display_name, user.username],
    unread: 0,
    order: 10_000 + index,
  }));
}

function ranked(query, found) {
  const rooms = roomCandidates();
  // A person I already talk with is found through that conversation.
  const talking = new Set(rooms.map((r) => r.peerId).filter(Boolean));
  const all = [...rooms, ...personCandidates(found).filter((p) => !talking.has(p.userId))];
  if (!query.trim()) {
    // Nothing typed yet: the rooms, unread first.
    return rooms.sort((a, b) => (b.unread > 0) - (a.unread > 0) || a.order - b.order).slice(0, SHOWN);
  }
  return all
    .map((item) => ({ item, score: bestScore(query, item.texts) }))
    .filter(({ score }) => score > 0)
    .sort((a, b) => b.score - a.score || (b.item.unread > 0) - (a.item.unread > 0) || a.item.order - b.item.order)
    .slice(0, SHOWN)
    .map(({ item }) => item);
}

function optionNode(item, index, active) {
  const kindLabel = t(item.kind === "person" ? "chat-switcher-person" : item.kind === "direct" ? "chat-switcher-direct" : "chat-switcher-room");
  return h("li", {
    id: `switcher-option-${index}`,
    role: "option",
    class: `switcher-option switcher-${item.kind}${item.unread ? " switcher-unread" : ""}`,
    "aria-selected": index === active ? "true" : "false",
    dataset: { index, key: item.key },
  },
  h("span", { class: `switcher-icon switcher-icon-${item.kind}`, "aria-hidden": "true" }),
  h("span", { class: "switcher-text" },
    userText(item.title, "bdi", { class: "switcher-name" }),
    item.detail ? h("span", { class: "switcher-detail", dir: "ltr" }, item.detail) : null),
  h("span", { class: "visually-hidden" }, kindLabel),
  item.unread
    ? h("span", { class: "badge badge-unread", dataset: { unreadCount: item.unread }, "aria-label": t("chat-unread-count", { count: item.unread }) }, formatNumber(item.unread))
    : null);
}

/** Opens the switcher (once: a second Ctrl+K while it is open does nothing). */
export async function openSwitcher() {
  if (byId("switcher-dialog") || document.querySelector("dialog[open]")) return;
  const input = h("input", {
    id: "switcher-input", type: "text", role: "combobox", dir: "auto", autocomplete: "off", spellcheck: "false",
    "aria-autocomplete": "list", "aria-expanded": "true", "aria-controls": "switcher-list", autofocus: true,
  });
  const list = h("ul", { id: "switcher-list", class: "switcher-list", role: "listbox", "aria-label": t("chat-switcher-results") });
  const empty = h("p", { id: "switcher-empty", class: "switcher-empty", role: "status" });
  let items = [];
  let active = 0;
  let found = [];
  let timer = null;
  let generation = 0;

  const show = () => {
    items = ranked(input.value, found);
    active = Math.min(active, Math.max(0, items.length - 1));
    list.replaceChildren(...items.map((item, index) => optionNode(item, index, active)));
    empty.textContent = items.length ? "" : t("chat-switcher-none");
    if (items.length) input.setAttribute("aria-activedescendant", `switcher-option-${active}`);
    else input.removeAttribute("aria-activedescendant");
  };
  const move = (to) => {
    if (!items.length) return;
    active = (to + items.length) % items.length;
    for (const option of list.children) option.setAttribute("aria-selected", option.dataset.index === String(active) ? "true" : "false");
    input.setAttribute("aria-activedescendant", `switcher-option-${active}`);
    list.children[active]?.scrollIntoView({ block: "nearest" });
  };
  // People beyond the rooms I share with them come from the user search.
  const lookup = async () => {
    const query = input.value.trim();
    const mine = ++generation;
    if (!query) return;
    try {
      const users = await api("GET", `/api/v1/users?${new URLSearchParams({ q: query, limit: "10" })}`);
      if (mine !== generation) return;
      found = users;
      show();
    } catch {
      // The rooms and known people are still listed; the search is a bonus.
    }
  };
  input.addEventListener("input", () => {
    active = 0;
    show();
    clearTimeout(timer);
    timer = setTimeout(lookup, LOOKUP_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.isComposing) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      event.preventDefault();
      input.form?.requestSubmit();
    }
  });
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (!option) return;
    active = Number(option.dataset.index);
    input.form?.requestSubmit();
  });
  show();

  const chosen = await openDialog({
    id: "switcher-dialog",
    title: t("chat-switcher-title"),
    content: [field(t("chat-switcher-label"), input, t("chat-switcher-hint")), list, empty],
    cancelLabel: t("chat-close"),
    onSubmit: async () => items[active] || false,
  });
  clearTimeout(timer);
  if (!chosen || chosen === true) return;
  if (chosen.roomId) await openRoom(chosen.roomId);
  else await openDirect(chosen.username);
}
