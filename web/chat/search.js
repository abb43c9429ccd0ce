// Message search: results best first, each with the server's excerpt whose matched words
// (found with the server's Persian/Arabic normalization) become <mark> elements — text,
// never HTML. Optionally only in the open room. Choosing a result opens its room there.

import { api } from "./api.js";
import { byId, h, userText } from "./dom.js";
import { formatDateTime, t } from "./i18n.js";
import { authorName } from "./messages.js";
import { toastError } from "./notify.js";
import { activeRoom, state } from "./store.js";

const DEBOUNCE_MS = 300;
const MIN_CHARS = 2;
let hooks = { open: async () => {} };
let timer = null;
let generation = 0;

/** The server's snippet pieces as text nodes and <mark> elements. */
function highlighted(snippet) {
  return snippet.map((part) => (part.hit ? h("mark", {}, part.text) : part.text));
}

function close() {
  const panel = byId("search-results");
  panel.hidden = true;
  panel.replaceChildren();
}

function show(children) {
  const panel = byId("search-results");
  panel.replaceChildren(...children);
  panel.hidden = false;
}

/** Fetches one page of results (`cursor` from the previous page, if any). */
async function fetchPage(query, cursor) {
  const params = new URLSearchParams({ q: query, limit: "20" });
  const scoped = byId("search-scope").checked && activeRoom();
  if (scoped) params.set("room_id", activeRoom().id);
  if (cursor) params.set("cursor", cursor);
  return api("GET", `/api/v1/search/messages?${params}`);
}

function resultItem({ message, room, snippet }) {
  const roomName = state.rooms.get(room.id) ? roomLabel(room.id) : room.name;
  return h("li", {},
    h("button", {
      type: "button", class: "search-result", dataset: {
        messageId: message.id, roomId: room.id, seq: message.seq,
        threadId: message.thread_id || "", alsoToRoom: message.also_to_room ? "1" : "",
      },
    },
    h("span", { class: "search-result-meta" },
      userText(roomName, "bdi", { class: "search-result-room" }),
      userText(authorName(message.author), "bdi", { class: "search-result-author" }),
      h("time", { datetime: message.created_at }, formatDateTime(message.created_at))),
    h("span", { class: "search-result-text", dir: "auto" }, highlighted(snippet))));
}

async function run(query) {
  const mine = ++generation;
  show([h("p", { class: "search-status", role: "status" }, t("chat-searching"))]);
  let page;
  try {
    page = await fetchPage(query, null);
  } catch (error) {
    if (mine === generation) close();
    toastError(error);
    return;
  }
  if (mine !== generation) return; // a newer search already answered
  const heading = h("p", { class: "search-status", role: "status" });
  const list = h("ol", { class: "search-result-list" });
  let shown = 0;
  const more = h("button", { type: "button", class: "search-more" }, t("chat-search-more"));
  // Each page appends its hits; "more" stays while the server has another page.
  const add = (next) => {
    list.append(...next.hits.map(resultItem));
    shown += next.hits.length;
    heading.textContent = shown ? t("chat-search-count", { count: shown }) : t("chat-search-empty", { query });
    more.hidden = !next.next_cursor;
    more.dataset.cursor = next.next_cursor || "";
  };
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const next = await fetchPage(query, more.dataset.cursor);
      if (mine === generation) add(next);
    } catch (error) {
      toastError(error);
    } finally {
      more.disabled = false;
    }
  });
  add(page);
  show([heading, list, more]);
}

function roomLabel(id) {
  const view = state.rooms.get(id).view;
  return view.kind === "direct" && view.peer ? authorName(view.peer) : view.name;
}

export function initSearch(nextHooks) {
  hooks = { ...hooks, ...nextHooks };
  const formEl = byId("search-form");
  const input = byId("search-input");
  const panel = byId("search-results");
  const go = () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (query.length < MIN_CHARS) {
      generation += 1;
      close();
      return;
    }
    run(query);
  };
  formEl.addEventListener("submit", (event) => {
    event.preventDefault();
    go();
  });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(go, DEBOUNCE_MS);
  });
  byId("search-scope").addEventListener("change", go);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      if (!panel.hidden) close();
      else input.value = "";
    } else if (event.key === "ArrowDown" && !panel.hidden) {
      event.preventDefault();
      panel.querySelector(".search-result")?.focus();
    }
  });
  panel.addEventListener("keydown", (event) => {
    const results = [...panel.querySelectorAll(".search-result")];
    const index = results.indexOf(document.activeElement);
    if (event.key === "Escape") {
      close();
      input.focus();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = index + (event.key === "ArrowDown" ? 1 : -1);
      if (next < 0) input.focus();
      else results[Math.min(next, results.length - 1)]?.focus();
    }
  });
  panel.addEventListener("click", async (event) => {
    const button = event.target.closest(".search-result");
    if (!button) return;
    close();
    const { roomId, messageId, seq, threadId, alsoToRoom } = button.dataset;
    // A reply found in a thread opens in its thread.
    const message = threadId ? { id: messageId, seq: Number(seq), thread_id: threadId, also_to_room: alsoToRoom === "1" } : null;
    await hooks.open(roomId, messageId, Number(seq), message);
  });
  document.addEventListener("pointerdown", (event) => {
    if (!panel.hidden && !panel.contains(event.target) && !formEl.contains(event.target)) close();
  });
}
