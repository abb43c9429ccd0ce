// Threads: the side panel (a full-screen sheet on phones) that shows one thread — its root,
// its replies paged from the newest back, a box to reply with "Also send to the room", and
// Follow/Unfollow — and, from the room header, the lists of this room's threads and of
// those I follow (unread first). Replies are drawn and clicked as the timeline's messages
// are (timeline.js `bindMessages`); live changes reach the open thread through the store
// (sync.js keeps `state.thread`), and the reply box's text is a draft of the thread
// (composer.js `draftBox`). Opening a thread marks it read.

import { api } from "./api.js";
import { draftBox } from "./composer.js";
import { byId, h, iconButton, userText } from "./dom.js";
import { formattingKey } from "./formatting.js";
import { halfSpaceKey } from "./half-space.js";
import { formatDateTime, formatRelative, t } from "./i18n.js";
import { authorName, avatar, previewText, renderMessage } from "./messages.js";
import { toast, toastError } from "./notify.js";
import { perform } from "./ops.js";
import { activeRoom, emit, on, roomTitle, state, withThreadReply } from "./store.js";
import { adoptOwnMessage, sendTyping } from "./sync.js";
import { bindMessages, isGrouped, reconcile } from "./timeline.js";
import { bindFileDrop, bindFilePicking, createUploads } from "./uploads.js";

/** Replies per page, as the server's default. */
const PAGE = 50;
/** Within this many pixels of the end counts as "at the bottom". */
const BOTTOM_SLACK = 48;
/** "typing" at most this often, as the room composer sends it. */
const TYPING_EVERY_MS = 3000;

let hooks = { openRoom: async () => false, focusComposer: () => {} };
let chat;
let panel;
let title;
let backButton;
let followButton;
let threadView;
let scroller;
let rootBox;
let countLine;
let moreButton;
let replyList;
let form;
let input;
let alsoBox;
let sendButton;
let listView;
let tabs;
let tabPanel;
let listEl;
let listEmpty;
let threadsButton;
let threadDraft;
/** The reply box's files (uploads.js), apart from the room composer's. */
let uploads;
let tray;
let attachButton;
let fileInput;
/** "thread" or "list": what the panel shows. */
let view = "thread";
/** "room" (this room's threads) or "mine" (those I follow). */
let listTab = "room";
/** The list shown: ThreadView[]. */
let listed = [];
let listEpoch = 0;
/** Where focus goes back to when the panel closes. */
let returnFocus = null;
let openedFromList = false;
/** message id → { el, message, continued, stale } for the open thread */
let cache = new Map();
let stick = true;
let lastTyping = 0;

const path = (id) => encodeURIComponent(id);

function isOpen() {
  return !panel.hidden;
}

function atBottom() {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= BOTTOM_SLACK;
}

/** The open thread's messages, as the timeline's click handling sees them. */
const surface = {
  get el() {
    return scroller;
  },
  find(id) {
    const thread = state.thread;
    if (!thread) return null;
    return thread.root?.id === id ? thread.root : thread.replies.get(id) || null;
  },
  put(message) {
    const thread = state.thread;
    if (!thread) return;
    if (thread.root?.id === message.id) thread.root = { ...message, thread: message.thread || thread.root.thread };
    else thread.replies.set(message.id, message);
  },
  render: () => renderThread(),
  markStale(id) {
    const entry = cache.get(id);
    if (entry) entry.stale = true;
  },
  goto(id) {
    const el = scroller.querySelector(`[data-message-id="${CSS.escape(id || "")}"]`);
    el?.scrollIntoView({ block: "center" });
    el?.focus({ preventScroll: true });
  },
  reply: () => input.focus(),
};

function messageNode(message, room, continued) {
  const cached = cache.get(message.id);
  if (cached && cached.message === message && cached.continued === continued && !cached.stale) return cached.el;
  const el = renderMessage(message, room, continued, { inThread: true });
  // The root is in the timeline too: ids stay unique on the page.
  el.id = `thread-message-${message.id}`;
  if (cached?.el.isConnected) {
    const focused = cached.el.contains(document.activeElement) ? document.activeElement : null;
    cached.el.replaceWith(el);
    if (focused?.dataset.action) el.querySelector(`[data-action="${CSS.escape(focused.dataset.action)}"]`)?.focus();
  }
  cache.set(message.id, { el, message, continued });
  return el;
}

function renderThread({ anchor = false } = {}) {
  const thread = state.thread;
  if (!thread || view !== "thread") return;
  const room = state.rooms.get(thread.roomId);
  if (!room) return;
  const wasAtBottom = stick;
  const beforeHeight = anchor ? scroller.scrollHeight : 0;
  const beforeTop = anchor ? scroller.scrollTop : 0;
  reconcile(rootBox, thread.root ? [messageNode(thread.root, room, false)] : []);
  const count = thread.root?.thread?.reply_count || 0;
  countLine.textContent = !thread.ready ? t("chat-loading")
    : count ? t("chat-thread-replies", { count }) : t("chat-thread-no-replies");
  moreButton.hidden = !thread.ready || !thread.hasOlder;
  const nodes = [];
  let prev = null;
  for (const reply of [...thread.replies.values()].sort((a, b) => a.seq - b.seq)) {
    nodes.push(messageNode(reply, room, Boolean(isGrouped(prev, reply))));
    prev = reply;
  }
  reconcile(replyList, nodes);
  replyList.setAttribute("aria-busy", thread.ready ? "false" : "true");
  if (anchor) scroller.scrollTop = beforeTop + (scroller.scrollHeight - beforeHeight);
  else if (wasAtBottom) scroller.scrollTop = scroller.scrollHeight;
}

function renderFollow() {
  const thread = state.thread;
  followButton.hidden = view !== "thread" || thread?.following == null;
  if (followButton.hidden) return;
  followButton.textContent = t(thread.following ? "chat-thread-unfollow" : "chat-thread-follow");
}

/** Keeps what the server said of my state in a thread. */
function followView(threadView) {
  const data = {
    root_id: threadView.root.id,
    following: threadView.following,
    unread: threadView.unread,
    last_read_seq: threadView.last_read_seq,
  };
  state.threadFollows.set(data.root_id, data);
  if (state.thread?.rootId === data.root_id) state.thread.following = data.following;
  renderFollow();
  if (view === "list") drawList();
}

/** Marks the open thread read up to its newest reply shown (followers only). */
async function markThreadRead() {
  const thread = state.thread;
  if (!thread?.ready || thread.following === false || !isOpen() || view !== "thread") return;
  if (document.visibilityState !== "visible") return;
  let seq = thread.root?.seq || 0;
  for (const reply of thread.replies.values()) seq = Math.max(seq, reply.seq);
  if (seq <= thread.readSeq) return;
  thread.readSeq = seq;
  try {
    followView(await api("POST", `/api/v1/messages/${path(thread.rootId)}/thread/read`, { seq }));
  } catch (error) {
    // Not following: nothing to mark, and now we know which way the toggle reads.
    if (error.code === "thread.not_following" && state.thread === thread) {
      thread.following = false;
      thread.readSeq = 0;
      renderFollow();
    }
  }
}

/** A page of replies: the newest, or those before `beforeSeq`. */
async function loadPage(beforeSeq = null) {
  const thread = state.thread;
  if (!thread || thread.loading) return;
  thread.loading = true;
  let page = null;
  try {
    page = await api("GET", `/api/v1/messages/${path(thread.rootId)}/thread?limit=${PAGE}${beforeSeq ? `&before_seq=${beforeSeq}` : ""}`);
  } catch (error) {
    if (state.thread === thread) toastError(error);
  } finally {
    thread.loading = false;
  }
  if (!page || state.thread !== thread) return;
  if (!beforeSeq) {
    // Replies that reached this thread while its first page was on its way (over the
    // socket, or my own from a send's ack) are in `thread.replies` already. Those the page
    // holds, the page's root counts; any other was written after the server read the page
    // (the page is the newest replies), so its root does not count it yet: count it now,
    // in seq order, once (`counted` keeps the later event from counting it again).
    const onPage = new Set(page.replies.map((reply) => reply.id));
    let root = page.root;
    const arrived = [...thread.replies.values()].filter((reply) => !onPage.has(reply.id)).sort((a, b) => a.seq - b.seq);
    for (const reply of arrived) {
      root = withThreadReply(root, reply);
      thread.counted.add(reply.id);
    }
    thread.root = root;
  }
  for (const reply of page.replies) {
    thread.counted.add(reply.id);
    if (!thread.replies.has(reply.id)) thread.replies.set(reply.id, reply);
  }
  thread.hasOlder = page.replies.length >= PAGE;
  thread.ready = true;
  if (beforeSeq) {
    stick = false;
    renderThread({ anchor: true });
  } else {
    stick = true;
    renderThread();
    markThreadRead();
  }
}

function loadOlder() {
  const thread = state.thread;
  if (!thread?.ready || !thread.hasOlder || thread.loading) return;
  let oldest = null;
  for (const reply of thread.replies.values()) if (!oldest || reply.seq < oldest) oldest = reply.seq;
  if (oldest != null) loadPage(oldest);
}

function setOpen(open) {
  panel.hidden = !open;
  chat.dataset.thread = open ? "open" : "closed";
  threadsButton.setAttribute("aria-expanded", String(open && view === "list"));
  emit("thread.panel", open);
}

function showView(next) {
  view = next;
  threadView.hidden = next !== "thread";
  listView.hidden = next !== "list";
  backButton.hidden = next !== "thread" || !openedFromList;
  title.textContent = t(next === "thread" ? "chat-thread-title" : "chat-threads-title");
  renderFollow();
}

/** Leaves the thread shown (its unsent text stays a draft). */
function leaveThread() {
  threadDraft.show(null);
  uploads.clear();
  state.thread = null;
  cache = new Map();
  rootBox.replaceChildren();
  replyList.replaceChildren();
}

/** Opens the thread of `rootId` (a message of the open room) in the panel. */
export function openThread(rootId, { from = null, fromList = false, focus = true } = {}) {
  const room = activeRoom();
  if (!room || !rootId) return;
  if (!isOpen()) returnFocus = from || document.activeElement;
  openedFromList = fromList;
  if (state.thread?.rootId !== rootId) {
    leaveThread();
    const known = state.threadFollows.get(rootId);
    state.thread = {
      roomId: room.id,
      rootId,
      root: room.timeline?.messages.get(rootId) || null,
      replies: new Map(),
      /** Replies the root's summary counts already (the page's; then each event's). */
      counted: new Set(),
      ready: false,
      hasOlder: false,
      loading: false,
      following: known ? known.following : null,
      readSeq: 0,
    };
    alsoBox.checked = false;
    threadDraft.show({ room: room.id, thread: rootId });
    stick = true;
    loadPage();
  }
  showView("thread");
  setOpen(true);
  renderThread();
  if (state.thread.ready) markThreadRead();
  if (focus) input.focus();
  else title.focus();
}

export function closeThreads({ focus = true } = {}) {
  if (!isOpen()) return;
  if (state.thread) leaveThread();
  setOpen(false);
  const back = returnFocus;
  returnFocus = null;
  if (!focus) return;
  if (back?.isConnected && !back.closest("[hidden]")) back.focus();
  else hooks.focusComposer();
}

async function send() {
  const thread = state.thread;
  if (!thread) return;
  const body = input.value.trim();
  if (uploads.busy()) {
    toast(t("chat-upload-wait"), "error");
    return;
  }
  const attachments = uploads.readyIds(thread.roomId);
  if (!body && !attachments.length) return;
  const max = state.limits.message_max_chars || 4000;
  if ([...body].length > max) {
    toast(t("chat-message-too-long", { max }), "error");
    return;
  }
  const fields = { room_id: thread.roomId, body, attachments, thread_id: thread.rootId };
  if (alsoBox.checked) fields.also_to_room = true;
  sendButton.disabled = true;
  try {
    const message = await perform("send", fields);
    // The server cleared the thread's draft with the message.
    threadDraft.sent(thread.roomId, thread.rootId);
    if (state.thread === thread) {
      input.value = "";
      alsoBox.checked = false;
      uploads.clear();
      // Sending ended "typing" on the server; the next keystroke announces it again.
      lastTyping = 0;
      stick = true;
    }
    if (message?.id) adoptOwnMessage(message);
  } catch (error) {
    toastError(error);
  } finally {
    sendButton.disabled = false;
    if (state.thread === thread) input.focus();
  }
}

function onInputKeydown(event) {
  if (halfSpaceKey(event) || formattingKey(event, input)) return;
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
    event.preventDefault();
    send();
  }
}

// ---------- The lists ----------

function selectTab(tab) {
  listTab = tab;
  for (const button of tabs) {
    const selected = button.dataset.tab === tab;
    button.setAttribute("aria-selected", String(selected));
    button.tabIndex = selected ? 0 : -1;
    if (selected) tabPanel.setAttribute("aria-labelledby", button.id);
  }
}

/** Opens the lists in the panel (this room's threads, or mine). */
export async function openThreadLists(tab = listTab, { from = null } = {}) {
  const room = activeRoom();
  if (!room) return;
  if (!isOpen()) returnFocus = from || document.activeElement;
  if (state.thread) leaveThread();
  selectTab(tab);
  showView("list");
  setOpen(true);
  await loadList();
}

async function loadList() {
  const room = activeRoom();
  if (!room) return;
  const epoch = ++listEpoch;
  listed = [];
  listEl.replaceChildren();
  listEl.setAttribute("aria-busy", "true");
  listEmpty.hidden = false;
  listEmpty.textContent = t("chat-loading");
  try {
    const views = await api("GET", listTab === "room" ? `/api/v1/rooms/${path(room.id)}/threads` : "/api/v1/threads");
    if (epoch !== listEpoch) return;
    listed = views;
    for (const entry of views) {
      state.threadFollows.set(entry.root.id, {
        root_id: entry.root.id, following: entry.following, unread: entry.unread, last_read_seq: entry.last_read_seq,
      });
    }
  } catch (error) {
    if (epoch === listEpoch) toastError(error);
  } finally {
    if (epoch === listEpoch) listEl.setAttribute("aria-busy", "false");
  }
  if (epoch === listEpoch) drawList();
}

function drawList() {
  listEl.replaceChildren(...listed.map((entry) => {
    const root = entry.root;
    const follow = state.threadFollows.get(root.id) || entry;
    const unread = follow.following ? follow.unread || 0 : 0;
    const summary = root.thread;
    const room = state.rooms.get(root.room_id);
    return h("li", { class: unread ? "thread-entry thread-entry-unread" : "thread-entry" },
      h("button", {
        type: "button", class: "thread-entry-button", dataset: { rootId: root.id, roomId: root.room_id },
      },
      h("span", { class: "thread-entry-head" },
        avatar(root.author),
        listTab === "mine" && room ? userText(roomTitle(room.view), "bdi", { class: "thread-entry-room" }) : null,
        userText(authorName(root.author), "bdi", { class: "thread-entry-author" })),
      h("span", { class: "thread-entry-text", dir: "auto" }, previewText(root)),
      h("span", { class: "thread-entry-meta" },
        summary ? t("chat-thread-replies", { count: summary.reply_count }) : t("chat-thread-no-replies"),
        summary ? [" · ", h("time", { datetime: summary.last_reply_at, title: formatDateTime(summary.last_reply_at) },
          t("chat-thread-last-reply", { when: formatRelative(summary.last_reply_at) }))] : null),
      unread ? h("span", { class: "badge thread-unread" }, t("chat-thread-unread", { count: unread })) : null));
  }));
  listEmpty.hidden = listed.length > 0;
  listEmpty.textContent = t(listTab === "room" ? "chat-threads-empty-room" : "chat-threads-empty-mine");
}

async function openEntry(button) {
  const { rootId, roomId } = button.dataset;
  if (roomId !== state.activeRoomId) {
    const from = returnFocus;
    if (!(await hooks.openRoom(roomId))) return;
    returnFocus = from;
  }
  openThread(rootId, { fromList: true });
}

function onTabKeydown(event) {
  if (!["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) return;
  event.preventDefault();
  const next = tabs.find((button) => button.dataset.tab !== listTab) || tabs[0];
  next.focus();
  selectTab(next.dataset.tab);
  loadList();
}

// ---------- Wiring ----------

function build() {
  title = h("h2", { id: "thread-panel-title", class: "thread-panel-title", tabindex: "-1" }, t("chat-thread-title"));
  backButton = iconButton("back", t("chat-thread-back"), { id: "thread-back", hidden: true });
  followButton = h("button", { type: "button", id: "thread-follow", class: "button-secondary thread-follow", hidden: true });
  const closeButton = iconButton("close", t("chat-thread-close"), { id: "thread-close" });
  rootBox = h("div", { class: "thread-root" });
  countLine = h("p", { id: "thread-count", class: "thread-count" });
  moreButton = h("button", { type: "button", id: "thread-more", class: "button-secondary thread-more", hidden: true }, t("chat-thread-load-earlier"));
  replyList = h("div", {
    id: "thread-replies", class: "thread-replies", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": t("chat-thread-replies-label"),
  });
  scroller = h("div", { id: "thread-scroller", class: "thread-scroller" }, rootBox, countLine, moreButton, replyList);
  input = h("textarea", {
    id: "thread-input", class: "composer-input thread-input", rows: 2, dir: "auto",
    "aria-label": t("chat-thread-input-label"), placeholder: t("chat-thread-placeholder"),
    maxlength: (state.limits.message_max_chars || 4000) + 100,
  });
  alsoBox = h("input", { type: "checkbox", id: "thread-also-to-room" });
  sendButton = h("button", { type: "submit", id: "thread-send", class: "send-button" }, t("chat-send-button"));
  tray = h("ul", { id: "thread-upload-tray", class: "upload-tray", "aria-label": t("chat-thread-uploads-label"), hidden: true });
  attachButton = iconButton("attach", t("chat-thread-attach-button"), { id: "thread-attach" });
  fileInput = h("input", { type: "file", id: "thread-file-input", multiple: true, hidden: true });
  form = h("form", { id: "thread-composer", class: "thread-composer", "aria-label": t("chat-thread-input-label") },
    tray,
    input,
    h("div", { class: "thread-composer-row" },
      attachButton,
      fileInput,
      h("label", { class: "thread-also", for: "thread-also-to-room" }, alsoBox, " ", h("span", {}, t("chat-thread-also-to-room"))),
      sendButton));
  threadView = h("div", { id: "thread-view", class: "thread-view" }, scroller, form);
  tabs = ["room", "mine"].map((tab) => h("button", {
    type: "button", role: "tab", id: `thread-tab-${tab}`, class: "thread-tab", "aria-controls": "thread-list-panel",
    "aria-selected": "false", dataset: { tab },
  }, t(tab === "room" ? "chat-threads-tab-room" : "chat-threads-tab-mine")));
  listEl = h("ol", { id: "thread-list", class: "thread-list" });
  listEmpty = h("p", { id: "thread-list-empty", class: "thread-list-empty", hidden: true });
  tabPanel = h("div", { id: "thread-list-panel", class: "thread-list-panel", role: "tabpanel", "aria-labelledby": "thread-tab-room" }, listEl, listEmpty);
  listView = h("div", { id: "thread-lists", class: "thread-lists", hidden: true },
    h("div", { class: "thread-tabs", role: "tablist", "aria-label": t("chat-threads-title") }, tabs), tabPanel);
  panel.replaceChildren(
    h("div", { class: "thread-panel-header" }, backButton, title, followButton, closeButton),
    threadView,
    listView,
  );
  closeButton.addEventListener("click", () => closeThreads());
  return closeButton;
}

/**
 * `hooks.openRoom(id)` opens another room (an entry of "My threads"); `hooks.focusComposer()`
 * is where focus goes when the panel closes and what opened it is gone.
 */
export function initThreads(next) {
  hooks = { ...hooks, ...next };
  chat = byId("chat");
  panel = byId("thread-panel");
  threadsButton = byId("room-threads-button");
  build();
  selectTab("room");
  showView("thread");
  bindMessages(surface);
  threadDraft = draftBox(input);
  uploads = createUploads(tray);
  bindFilePicking(uploads, { button: attachButton, input: fileInput, textarea: input });
  bindFileDrop(uploads, threadView);

  threadsButton.addEventListener("click", () => {
    if (isOpen() && view === "list") closeThreads();
    else openThreadLists(listTab, { from: threadsButton }).catch(toastError);
  });
  backButton.addEventListener("click", () => openThreadLists(listTab).catch(toastError));
  followButton.addEventListener("click", async () => {
    const thread = state.thread;
    if (!thread) return;
    try {
      followView(await api(thread.following ? "DELETE" : "PUT", `/api/v1/messages/${path(thread.rootId)}/thread/follow`));
      if (thread.following) markThreadRead();
    } catch (error) {
      toastError(error);
    }
  });
  moreButton.addEventListener("click", loadOlder);
  scroller.addEventListener("scroll", () => {
    stick = atBottom();
    if (scroller.scrollTop < 200) loadOlder();
  }, { passive: true });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  input.addEventListener("keydown", onInputKeydown);
  input.addEventListener("input", () => {
    threadDraft.changed();
    // Typing in a thread is typing in its room: the room's typing op, as the composer sends it.
    const room = state.thread && state.rooms.get(state.thread.roomId);
    const now = Date.now();
    if (room && input.value.trim() && now - lastTyping > TYPING_EVERY_MS) {
      lastTyping = now;
      sendTyping(room);
    }
  });
  for (const tab of tabs) {
    tab.addEventListener("click", () => {
      selectTab(tab.dataset.tab);
      loadList();
    });
    tab.addEventListener("keydown", onTabKeydown);
  }
  listEl.addEventListener("click", (event) => {
    const button = event.target.closest(".thread-entry-button");
    if (button) openEntry(button).catch(toastError);
  });
  document.addEventListener("keydown", (event) => {
    // A dialog takes its own Escape; so does an inline editor or a reply being quoted.
    if (event.key !== "Escape" || event.defaultPrevented || !isOpen() || document.querySelector("dialog[open]")) return;
    event.preventDefault();
    closeThreads();
  });

  on("thread", ({ created, mine } = {}) => {
    if (created && mine) stick = true;
    renderThread();
    if (created && !mine) markThreadRead();
  });
  on("thread.follow", (rootId) => {
    if (state.thread?.rootId === rootId) {
      renderFollow();
      if (state.threadFollows.get(rootId)?.unread) markThreadRead();
    }
    if (view === "list" && isOpen()) drawList();
  });
  on("active", () => {
    if (!isOpen()) return;
    if (state.thread && state.thread.roomId !== state.activeRoomId) closeThreads({ focus: false });
    else if (view === "list" && listTab === "room") loadList();
  });
  document.addEventListener("visibilitychange", markThreadRead);
  setOpen(false);
}
