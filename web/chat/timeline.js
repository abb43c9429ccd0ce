// The open room's history: first page, infinite scroll upward (and downward after a jump
// into the past), live messages, day separators, sticking to the bottom while the user
// is there, read marks, and the delegated click handling for everything inside messages.
// The DOM is reconciled against the sorted message list, reusing unchanged elements, so
// scroll position and focus survive updates.

import { api } from "./api.js";
import { confirmDialog, field, openDialog } from "./dialogs.js";
import { byId, h, yieldToBrowser } from "./dom.js";
import { formattingKey } from "./formatting.js";
import { halfSpaceKey } from "./half-space.js";
import { HISTORY_PAGE as PAGE, historyPath } from "./early.js";
import { dayKey, formatDay, t } from "./i18n.js";
import { EMOJI, editing, previewText, renderMessage, unfolded } from "./messages.js";
import { toast, toastError } from "./notify.js";
import { perform } from "./ops.js";
import { togglePin, toggleSaved } from "./pins.js";
import { pollClick } from "./polls.js";
import { openReactionPicker } from "./reactions.js";
import { activeRoom, canModerate, on, putMessage, roomTitle, sortedMessages, state, threadOnly, timelineOf } from "./store.js";
import { markRead } from "./sync.js";

/** Within this many pixels of the end counts as "at the bottom". */
const BOTTOM_SLACK = 48;
/** Consecutive messages by one author within this window are grouped. */
const GROUP_MS = 5 * 60 * 1000;

let scroller;
let list;
let jumpButton;
/** key → { el, message, continued } for the room on screen */
let cache = new Map();
let shownRoomId = null;
let stick = true;
/** Whether delete buttons for others' messages were shown at the last render. */
let moderating = false;
/**
 * The "New messages" divider of the room on screen: it sits before the first message of
 * others after this seq (the read position when the room was opened, with unread messages)
 * and stays put while the room stays open, even once everything is read.
 */
let unreadAfter = null;
/** Hooks other modules register (composer: reply / edit-last; room view: open; threads: thread). */
const hooks = { reply: () => {}, profile: () => {}, open: () => {}, thread: () => {} };

export function setTimelineHooks(next) {
  Object.assign(hooks, next);
}

function atBottom() {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= BOTTOM_SLACK;
}

function scrollToBottom() {
  scroller.scrollTop = scroller.scrollHeight;
  stick = true;
}

/** Whether `message` continues `prev` (same author, shortly after): drawn without a header. */
export function isGrouped(prev, message) {
  return prev && !prev.deleted && !message.deleted && !prev.poll_id && !message.poll_id
    && prev.author?.id && prev.author.id === message.author?.id
    && new Date(message.created_at) - new Date(prev.created_at) < GROUP_MS;
}

function messageNode(message, room, continued) {
  const key = `m:${message.id}`;
  const cached = cache.get(key);
  if (cached && cached.message === message && cached.continued === continued && !cached.stale) return cached.el;
  const el = renderMessage(message, room, continued);
  if (cached?.el.isConnected) {
    const focused = cached.el.contains(document.activeElement) ? document.activeElement : null;
    cached.el.replaceWith(el);
    // A reaction arriving re-renders the message: focus stays on the same button (the one
    // that opened the emoji picker, say) instead of falling back to the page.
    if (focused?.dataset.action) {
      const emoji = focused.dataset.emoji ? `[data-emoji="${CSS.escape(focused.dataset.emoji)}"]` : "";
      el.querySelector(`[data-action="${CSS.escape(focused.dataset.action)}"]${emoji}`)?.focus();
    }
  }
  cache.set(key, { el, message, continued });
  return el;
}

function dayNode(key, when) {
  const cacheKey = `d:${key}`;
  if (!cache.has(cacheKey)) {
    cache.set(cacheKey, { el: h("div", { class: "day-separator", role: "separator" }, h("span", {}, formatDay(when))) });
  }
  return cache.get(cacheKey).el;
}

/** Moves `nodes` into `parent` in order, touching only what is out of place. */
export function reconcile(parent, nodes) {
  let cursor = parent.firstChild;
  for (const node of nodes) {
    if (node === cursor) {
      cursor = cursor.nextSibling;
      continue;
    }
    parent.insertBefore(node, cursor);
  }
  while (cursor) {
    const next = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
}

/** Renders the open room. `anchor`: keep the view still while older messages are added above. */
function render({ anchor = false } = {}) {
  const room = activeRoom();
  if (!room || room.id !== shownRoomId) return;
  const timeline = timelineOf(room);
  const wasAtBottom = stick;
  // Read only when needed: reading them makes the browser lay the page out there and then.
  const beforeHeight = anchor ? scroller.scrollHeight : 0;
  const beforeTop = anchor ? scroller.scrollTop : 0;

  const nodes = [];
  if (timeline.ready && !timeline.hasOlder) {
    nodes.push(cache.get("start")?.el || cacheStart(room));
  }
  let lastDay = null;
  let prev = null;
  const messages = sortedMessages(timeline);
  // Only where the read position is loaded (or the window starts right after it): atop
  // the newest page alone it would mark the wrong message as the first unread.
  let dividerDue = unreadAfter != null && (!timeline.hasOlder || timeline.startsAfter === unreadAfter
    || (messages.length > 0 && messages[0].seq <= unreadAfter));
  for (const message of messages) {
    const day = dayKey(message.created_at);
    const firstUnread = dividerDue && message.seq > unreadAfter && message.author?.id !== state.me.id;
    if (firstUnread) {
      // Above the day heading when both start here, so the day still heads its messages.
      nodes.push(unreadDivider());
      dividerDue = false;
      prev = null;
    }
    if (day !== lastDay) {
      nodes.push(dayNode(day, message.created_at));
      lastDay = day;
      prev = null;
    }
    nodes.push(messageNode(message, room, Boolean(isGrouped(prev, message))));
    prev = message;
  }
  if (!timeline.ready) nodes.push(timelineSkeleton());
  else if (!timeline.messages.size) nodes.push(h("p", { class: "timeline-empty" }, t("chat-room-empty")));
  reconcile(list, nodes);
  list.setAttribute("aria-busy", timeline.ready ? "false" : "true");

  if (anchor) scroller.scrollTop = beforeTop + (scroller.scrollHeight - beforeHeight);
  else if (wasAtBottom && !timeline.hasNewer) scrollToBottom();
  updateJumpButton();
}

function cacheStart(room) {
  const el = h("div", { class: "timeline-start" },
    h("p", { class: "timeline-start-title" }, t("chat-room-start", { room: roomTitle(room.view) })));
  cache.set("start", { el });
  return el;
}

function unreadDivider() {
  if (!cache.has("unread")) {
    cache.set("unread", { el: h("div", { id: "unread-divider", class: "unread-divider", role: "separator" }, h("span", {}, t("chat-unread-divider"))) });
  }
  return cache.get("unread").el;
}

/**
 * How many of the room's unread messages are still below the visible part: the unread
 * count less those already scrolled into view (the rest may not even be loaded yet).
 */
function unreadBelow(room) {
  const unread = room.view.unread || 0;
  if (!unread || !room.timeline) return 0;
  const readSeq = room.view.last_read_seq || 0;
  const bottom = scroller.getBoundingClientRect().bottom;
  let seen = 0;
  for (const message of room.timeline.messages.values()) {
    if (message.seq <= readSeq || message.author?.id === state.me.id) continue;
    const el = cache.get(`m:${message.id}`)?.el;
    if (el?.isConnected && el.getBoundingClientRect().top < bottom) seen += 1;
  }
  return Math.max(0, unread - seen);
}

function updateJumpButton() {
  const room = activeRoom();
  jumpButton.hidden = !room || (stick && !room.timeline?.hasNewer);
  if (jumpButton.hidden) return;
  const below = unreadBelow(room);
  jumpButton.dataset.count = String(below);
  jumpButton.textContent = below ? t("chat-jump-new", { count: below }) : t("chat-jump-latest");
}

/** Marks read when the user can actually see the newest message. */
export function maybeMarkRead() {
  const room = activeRoom();
  if (!room?.timeline?.ready || room.timeline.hasNewer) return;
  if (document.visibilityState !== "visible" || !atBottom()) return;
  markRead(room);
}

/**
 * Fetches a page of history. Resolves to the page, or null when it failed or when the
 * timeline was reset meanwhile (a jump, "back to latest"): a stale page must not be
 * merged, or it would leave a gap.
 */
async function fetchPage(room, timeline, query) {
  const epoch = timeline.epoch;
  timeline.loading = true;
  try {
    const page = await api("GET", historyPath(room.id, query));
    return epoch === timeline.epoch ? page : null;
  } catch (error) {
    if (epoch === timeline.epoch) {
      toastError(error);
      timeline.failed = true;
    }
    return null;
  } finally {
    if (epoch === timeline.epoch) timeline.loading = false;
  }
}

/** Starts a new epoch: pages still in flight will be dropped. */
function resetTimeline(room, timeline) {
  timeline.epoch += 1;
  timeline.loading = false;
  timeline.messages.clear();
  timeline.startsAfter = null;
  timeline.parked = [];
  if (room.id === shownRoomId) {
    cache = new Map();
    list.replaceChildren();
  }
}

async function loadLatest(room) {
  const timeline = timelineOf(room);
  // Live events apply from now on, so nothing sent during the fetch is missed.
  timeline.live = true;
  timeline.failed = false;
  const page = await fetchPage(room, timeline, "");
  if (!page) return;
  for (const message of page) putMessage(timeline, message, true);
  timeline.hasOlder = page.length >= PAGE;
  timeline.hasNewer = false;
  timeline.ready = true;
  if (room.id !== shownRoomId) return;
  stick = true;
  quietly(render);
  // What follows reads the new layout and may change the sidebar: in a task of its own,
  // so the messages are drawn without waiting for it (and no task blocks for long).
  await yieldToBrowser();
  if (room.id !== shownRoomId) return;
  fillViewport();
  maybeMarkRead();
}

async function loadOlder() {
  const room = activeRoom();
  const timeline = room?.timeline;
  if (!timeline?.ready || !timeline.hasOlder || timeline.loading) return;
  const oldest = sortedMessages(timeline)[0];
  const page = await fetchPage(room, timeline, oldest ? `&before_seq=${oldest.seq}` : "");
  if (!page) return;
  for (const message of page) putMessage(timeline, message, true);
  timeline.hasOlder = page.length >= PAGE;
  markQuotesStale(new Set(page.map((m) => m.id)));
  if (room.id === shownRoomId) {
    stick = false;
    quietly(() => render({ anchor: true }));
    fillViewport();
  }
}

async function loadNewer() {
  const room = activeRoom();
  const timeline = room?.timeline;
  if (!timeline?.ready || !timeline.hasNewer || timeline.loading) return;
  const newest = sortedMessages(timeline).at(-1);
  const page = await fetchPage(room, timeline, `&after_seq=${newest?.seq ?? 0}`);
  if (!page) return;
  for (const message of page) putMessage(timeline, message, true);
  if (page.length < PAGE) {
    // Caught up: live messages that waited meanwhile join now (ids dedupe any overlap).
    timeline.hasNewer = false;
    for (const message of timeline.parked) putMessage(timeline, message, true);
    timeline.parked = [];
  }
  if (room.id === shownRoomId) {
    render();
    maybeMarkRead();
  }
}

/** When a page does not fill the view, the scroll that would load more never comes. */
function fillViewport() {
  const room = activeRoom();
  if (room?.timeline?.hasOlder && scroller.scrollHeight <= scroller.clientHeight + 8) loadOlder();
}

/** Shows a room's timeline (loading its first page if needed). */
export function showTimeline(room) {
  shownRoomId = room.id;
  cache = new Map();
  editing.id = null;
  list.replaceChildren();
  list.setAttribute("aria-label", t("chat-timeline-label", { room: roomTitle(room.view) }));
  stick = true;
  moderating = canModerate(room);
  const timeline = timelineOf(room);
  unreadAfter = room.view.unread > 0 ? (room.view.last_read_seq || 0) : null;
  if (unreadAfter != null) {
    openAtUnread(room, timeline);
    return;
  }
  if (!timeline.live || (timeline.failed && !timeline.ready && !timeline.loading)) {
    loadLatest(room);
    render();
    return;
  }
  quietly(render);
  scrollToBottom();
  fillViewport();
  maybeMarkRead();
}

/** Whether the loaded window reaches back to the read position and on to the newest. */
function coversUnread(timeline) {
  if (!timeline.ready || timeline.hasNewer) return false;
  const oldest = sortedMessages(timeline)[0];
  return !timeline.hasOlder || (oldest && oldest.seq <= unreadAfter);
}

/** Opens a room with unread messages at the first of them, below the divider. */
function openAtUnread(room, timeline) {
  if (timeline.live && coversUnread(timeline)) {
    quietly(render);
    scrollToUnread();
    return;
  }
  if (timeline.live && timeline.ready) {
    // What is loaded does not reach back to the first unread: start again from it.
    resetTimeline(room, timeline);
    timeline.ready = false;
  }
  render();
  loadFromUnread(room, unreadAfter);
}

/**
 * First page for a room with unread messages: the newest page when it reaches back to
 * the read position (the usual case), else the page starting at the first unread, with
 * the newer ones loaded as the reader scrolls down (as after a jump into the past).
 */
async function loadFromUnread(room, after) {
  const timeline = timelineOf(room);
  timeline.live = true;
  timeline.failed = false;
  const latest = await fetchPage(room, timeline, "");
  if (!latest) return;
  let page = latest;
  let hasOlder = latest.length >= PAGE;
  if (hasOlder && latest[0].seq > after) {
    page = await fetchPage(room, timeline, `&after_seq=${after}`);
    if (!page) return;
    resetTimeline(room, timeline);
    timeline.startsAfter = after;
    hasOlder = after > 0;
    // The newest page just fetched says what the newest message of the timeline is.
    const latestId = latest.at(-1)?.id;
    timeline.hasNewer = !latestId || !page.some((m) => m.id === latestId);
  } else {
    timeline.hasNewer = false;
  }
  for (const message of page) putMessage(timeline, message, true);
  timeline.hasOlder = hasOlder;
  timeline.ready = true;
  if (room.id === shownRoomId) {
    quietly(render);
    scrollToUnread();
  }
}

/** Puts the divider near the top, so the first unread message is the first one read. */
function scrollToUnread() {
  const divider = list.querySelector(".unread-divider");
  if (divider) {
    scroller.scrollTop += divider.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
    stick = atBottom();
  } else {
    scrollToBottom();
  }
  updateJumpButton();
  fillViewport();
  maybeMarkRead();
}

/** Scrolls to a message and flashes it; loads the history around it if needed. */
export async function jumpTo(room, messageId, seq) {
  const timeline = timelineOf(room);
  if (!timeline.messages.has(messageId) && seq != null) {
    // A window of history around the message: 25 before it, 25 after.
    const epoch = timeline.epoch + 1;
    timeline.epoch = epoch;
    const page = await fetchPage(room, timeline, `&before_seq=${seq + 26}`);
    if (!page || timeline.epoch !== epoch) return;
    resetTimeline(room, timeline);
    for (const message of page) putMessage(timeline, message);
    timeline.live = true;
    timeline.ready = true;
    timeline.hasOlder = page.length >= PAGE;
    timeline.hasNewer = newerThan(room, page);
  }
  if (room.id !== shownRoomId) return;
  stick = false;
  render();
  highlight(messageId);
}

/**
 * Whether messages newer than `page` exist: the room's last message is not in it. A
 * thread's reply is the room's last message without being in its timeline; then only a
 * full page says there may be more (loading newer ones settles it).
 */
function newerThan(room, page) {
  const last = room.view.last_message;
  if (!last) return false;
  if (threadOnly(last)) return page.length >= PAGE;
  return !page.some((m) => m.id === last.id);
}

function highlight(messageId) {
  const el = list.querySelector(`[data-message-id="${CSS.escape(messageId)}"]`);
  if (!el) return;
  for (const old of list.querySelectorAll(".message-highlight")) old.classList.remove("message-highlight");
  el.scrollIntoView({ block: "center" });
  el.classList.add("message-highlight");
  el.focus({ preventScroll: true });
  stick = atBottom();
  updateJumpButton();
}

async function backToLatest() {
  const room = activeRoom();
  if (!room) return;
  const timeline = timelineOf(room);
  if (timeline.hasNewer) {
    // Drop the window into the past and start again from the newest page.
    resetTimeline(room, timeline);
    timeline.hasNewer = false;
    timeline.ready = false;
    render();
    await loadLatest(room);
  }
  scrollToBottom();
  updateJumpButton();
  maybeMarkRead();
}

/**
 * Where messages are drawn and clicked: the timeline here, the open thread in threads.js.
 * `el` holds them; `find(id)` and `put(message)` read and write what it shows; `render()`
 * draws it again, `markStale(id)` says one message must be drawn anew, `goto(id)` shows
 * one, `reply(message)` quotes one in the right box.
 */
const timelineSurface = {
  get el() {
    return list;
  },
  find: (id) => activeRoom()?.timeline?.messages.get(id) || null,
  put: (message) => activeRoom()?.timeline?.messages.set(message.id, message),
  render: () => render(),
  markStale: (id) => markStale(id),
  goto: (id) => {
    const target = activeRoom()?.timeline?.messages.get(id);
    if (target) highlight(target.id);
  },
  reply: (message) => hooks.reply(message),
};

function messageOf(surface, el) {
  const article = el.closest("[data-message-id]");
  return article ? surface.find(article.dataset.messageId) : null;
}

function markStale(id) {
  const entry = cache.get(`m:${id}`);
  if (entry) entry.stale = true;
}

/** Replies quote their original: refresh them when it changes or first appears. */
function markQuotesStale(ids) {
  for (const entry of cache.values()) {
    if (entry.message?.reply_to && ids.has(entry.message.reply_to)) entry.stale = true;
  }
}

/** A live region would read out a whole room's history when it is swapped in at once. */
function quietly(fn) {
  list.setAttribute("aria-live", "off");
  fn();
  setTimeout(() => list.setAttribute("aria-live", "polite"), 0);
}

/** The surface whose message is being edited (one editor on the page at a time). */
let editingIn = timelineSurface;

function startEdit(surface, message) {
  if (editing.id) {
    editingIn.markStale(editing.id);
    if (editingIn !== surface) {
      editing.id = null;
      editingIn.render();
    }
  }
  editingIn = surface;
  surface.markStale(message.id);
  editing.id = message.id;
  editing.draft = message.body;
  surface.render();
  const input = surface.el.querySelector(`[data-editor-for="${CSS.escape(message.id)}"]`);
  input?.focus();
  input?.setSelectionRange(input.value.length, input.value.length);
}

function stopEdit(surface) {
  const id = editing.id;
  editing.id = null;
  surface.markStale(id);
  surface.render();
  surface.el.querySelector(`[data-message-id="${CSS.escape(id || "")}"]`)?.focus({ preventScroll: true });
}

async function saveEdit(surface) {
  const input = surface.el.querySelector(`[data-editor-for="${CSS.escape(editing.id || "")}"]`);
  if (!input) return;
  const body = input.value.trim();
  const original = surface.find(editing.id);
  if (!original) return stopEdit(surface);
  if (!body || body === original.body) return stopEdit(surface);
  input.disabled = true;
  try {
    const updated = await perform("edit", { message_id: original.id, body });
    if (updated?.id) surface.put(updated.thread || !original.thread ? updated : { ...updated, thread: original.thread });
    stopEdit(surface);
  } catch (error) {
    input.disabled = false;
    toastError(error);
  }
}

/** Starts editing my newest message (ArrowUp in an empty composer). */
export function editLastOwn() {
  const room = activeRoom();
  if (!room?.timeline) return false;
  const mine = sortedMessages(room.timeline).filter((m) => m.author?.id === state.me.id && !m.deleted && m.kind === "text" && !m.forwarded_from);
  const last = mine.at(-1);
  if (!last) return false;
  startEdit(timelineSurface, last);
  list.querySelector(`[data-message-id="${CSS.escape(last.id)}"]`)?.scrollIntoView({ block: "nearest" });
  return true;
}

/** Asks why, then files the report for the room's moderators (`POST /messages/{id}/report`). */
async function reportMessage(message) {
  const reason = h("textarea", { name: "reason", rows: 3, dir: "auto", required: true, maxlength: state.limits.report_reason_max_chars || 1000 });
  const sent = await openDialog({
    id: "report-dialog",
    title: t("chat-report-title"),
    content: [h("blockquote", { class: "report-quote", dir: "auto" }, previewText(message)), field(t("chat-report-reason"), reason)],
    submitLabel: t("chat-report-submit"),
    onSubmit: async () => {
      if (!reason.value.trim()) {
        reason.focus();
        return false;
      }
      await api("POST", `/api/v1/messages/${encodeURIComponent(message.id)}/report`, { reason: reason.value.trim() });
      return true;
    },
  });
  if (sent) toast(t("chat-report-sent"));
}

/**
 * Asks where to (any room or direct conversation I am in, filtered as I type) and what to
 * say with it, then forwards (`POST /messages/{id}/forward`).
 */
async function forwardMessage(message) {
  const name = `forward-target-${message.id}`;
  const choices = [...state.rooms.values()]
    .map((room) => ({ id: room.id, title: roomTitle(room.view), direct: room.view.kind === "direct" }))
    .sort((a, b) => a.title.localeCompare(b.title));
  const options = choices.map((choice) => h("label", { class: "forward-choice", dataset: { title: choice.title.toLowerCase() } },
    h("input", { type: "radio", name, value: choice.id }),
    h("bdi", { dir: "auto" }, choice.direct ? choice.title : `#${choice.title}`)));
  const filter = h("input", { type: "search", name: "filter", dir: "auto", autocomplete: "off" });
  const list = h("div", { class: "forward-choices", role: "radiogroup", "aria-label": t("chat-forward-to") }, options);
  const none = h("p", { class: "forward-none", hidden: true }, t("chat-forward-none"));
  filter.addEventListener("input", () => {
    const query = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const option of options) {
      option.hidden = Boolean(query) && !option.dataset.title.includes(query);
      if (!option.hidden) shown += 1;
    }
    none.hidden = shown > 0;
  });
  const comment = h("textarea", { name: "comment", rows: 2, dir: "auto", maxlength: state.limits.message_max_chars || 4000 });
  const sent = await openDialog({
    id: "forward-dialog",
    title: t("chat-forward-title"),
    content: [
      h("blockquote", { class: "report-quote", dir: "auto" }, previewText(message)),
      field(t("chat-forward-filter"), filter),
      list,
      none,
      field(t("chat-forward-comment"), comment),
    ],
    submitLabel: t("chat-forward-submit"),
    onSubmit: async (form) => {
      const target = form.querySelector(`input[name="${CSS.escape(name)}"]:checked`);
      if (!target) throw new Error(t("chat-forward-pick"));
      const body = { room_id: target.value };
      if (comment.value.trim()) body.comment = comment.value.trim();
      await api("POST", `/api/v1/messages/${encodeURIComponent(message.id)}/forward`, body);
      return true;
    },
  });
  if (sent) toast(t("chat-forward-sent"));
}

async function toggleReaction(message, emoji) {
  const mine = message.reactions?.some((r) => r.emoji === emoji && r.users?.includes(state.me.username));
  try {
    // The reply is not applied: the room's event (ordered, with the full list) is the
    // truth, and a reply can be older than someone else's reaction that arrived first.
    await perform(mine ? "unreact" : "react", { message_id: message.id, emoji });
  } catch (error) {
    toastError(error);
  }
}

/** Placeholder rows while a room's history loads (the words are for screen readers). */
function timelineSkeleton() {
  const row = () => h("div", { class: "timeline-skeleton-row", "aria-hidden": "true" },
    h("div", { class: "skeleton" }),
    h("div", {}, h("div", { class: "skeleton skeleton-short" }), h("div", { class: "skeleton" })));
  return h("div", { class: "timeline-loading timeline-skeleton" },
    h("p", { class: "visually-hidden", role: "status" }, t("chat-loading")), row(), row(), row());
}

async function onClick(surface, event) {
  const button = event.target.closest("[data-action]");
  if (!button || !surface.el.contains(button)) return;
  const message = messageOf(surface, button);
  const action = button.dataset.action;
  if (action === "profile") return hooks.profile(button.dataset.username);
  if (action === "open-thread") return hooks.thread(button.dataset.threadId, button);
  if (!message) return;
  switch (action) {
    case "reply":
      return surface.reply(message);
    case "edit":
      return startEdit(surface, message);
    case "edit-cancel":
      return stopEdit(surface);
    case "edit-save":
      return saveEdit(surface);
    case "fold": {
      if (unfolded.has(message.id)) unfolded.delete(message.id);
      else unfolded.add(message.id);
      surface.markStale(message.id);
      surface.render();
      return surface.el.querySelector(`[data-message-id="${CSS.escape(message.id)}"] [data-action="fold"]`)?.focus();
    }
    case "report":
      return reportMessage(message);
    case "pin":
      return togglePin(activeRoom(), message);
    case "save":
      return toggleSaved(message);
    case "forward":
      return forwardMessage(message);
    case "open-forwarded":
      return hooks.open(button.dataset.roomId, button.dataset.targetId);
    case "delete": {
      if (!(await confirmDialog(t("chat-delete-confirm"), t("chat-delete-button")))) return;
      try {
        await perform("delete", { message_id: message.id });
      } catch (error) {
        toastError(error);
      }
      return;
    }
    case "react":
      return openReactionPicker(button, EMOJI, (emoji) => toggleReaction(messageOf(surface, button) || message, emoji));
    case "toggle-reaction":
      return toggleReaction(message, button.dataset.emoji);
    case "remove-embed":
      // The room's `message.embeds` event takes it off the page, here and everywhere.
      return api("DELETE", `/api/v1/messages/${encodeURIComponent(message.id)}/embeds/${encodeURIComponent(button.dataset.position)}`)
        .catch(toastError);
    case "goto":
      return surface.goto(button.dataset.targetId);
    case "vote":
    case "close-poll": {
      const card = button.closest("[data-poll-id]");
      if (card) pollClick(button, card.dataset.pollId);
      return;
    }
    default:
  }
}

function onKeydown(surface, event) {
  const input = event.target.closest?.(".message-editor-input");
  if (input) {
    editing.draft = input.value;
    if (halfSpaceKey(event)) return;
    if (formattingKey(event, input)) {
      editing.draft = input.value;
      return;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      stopEdit(surface);
    } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      saveEdit(surface);
    }
  }
}

/**
 * Makes the messages in `surface.el` work as the timeline's do: every button of their
 * menus, inline editing, reactions, polls (the thread panel draws replies with them).
 */
export function bindMessages(surface) {
  surface.el.addEventListener("click", (event) => onClick(surface, event));
  surface.el.addEventListener("keydown", (event) => onKeydown(surface, event));
  surface.el.addEventListener("input", (event) => {
    if (event.target.matches(".message-editor-input")) editing.draft = event.target.value;
  });
}

export function initTimeline() {
  scroller = byId("timeline-scroller");
  list = byId("timeline");
  jumpButton = byId("jump-latest");
  bindMessages(timelineSurface);
  jumpButton.addEventListener("click", backToLatest);
  const room = () => activeRoom();

  let ticking = false;
  scroller.addEventListener("scroll", () => {
    stick = atBottom();
    if (ticking) return;
    ticking = true;
    requestAnimationFrame(() => {
      ticking = false;
      if (scroller.scrollTop < 300) loadOlder();
      if (room()?.timeline?.hasNewer && scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 300) loadNewer();
      updateJumpButton();
      maybeMarkRead();
    });
  }, { passive: true });

  // Images and late layout change heights: stay pinned to the bottom if we were there.
  new ResizeObserver(() => {
    if (stick && !room()?.timeline?.hasNewer) scroller.scrollTop = scroller.scrollHeight;
  }).observe(list);

  on("message", ({ roomId, id, created, mine, threadReply }) => {
    if (roomId !== shownRoomId) return;
    // Also sent when only its pin or saved state changed, with the same message object.
    markStale(id);
    markQuotesStale(new Set([id]));
    // My own new message always brings me to the bottom.
    if (created && mine) stick = true;
    render();
    // A reply in a thread is news in the room too (its root's summary changed).
    if (created || threadReply) maybeMarkRead();
  });
  on("members", (roomId) => {
    // Room moderators get delete buttons once the member list says so (presence changes
    // arrive here too, and must not redraw every message).
    if (roomId !== shownRoomId || canModerate(room()) === moderating) return;
    moderating = !moderating;
    for (const entry of cache.values()) entry.stale = true;
    render();
  });
  on("resumed", () => {
    const current = room();
    if (current?.id !== shownRoomId) return;
    // A first page that failed while we were offline is fetched again now.
    if (current.timeline?.failed && !current.timeline.ready && !current.timeline.loading) loadLatest(current);
    else render();
    maybeMarkRead();
  });
  document.addEventListener("visibilitychange", maybeMarkRead);
  window.addEventListener("focus", maybeMarkRead);
}
