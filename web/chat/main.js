// Entry point of the chat page: reads the boot data the server rendered into
// <main id="chat" data-boot>, wires the modules together, loads the room list and opens
// the WebSocket. Each module owns one part of the page; they talk through store.js.

import { api, initApi } from "./api.js";
import { byId, yieldToBrowser } from "./dom.js";
import { addressed, dropEarly } from "./early.js";
import { initI18n, t } from "./i18n.js";
import { focusComposer, initComposer, setReply } from "./composer.js";
import { initMembers } from "./members.js";
import { drawFavicon, initInbox } from "./inbox.js";
import { initPush, pushUnsubscribe } from "./push.js";
import { initNotify, setInboxCount, toastError, updateTitle } from "./notify.js";
import { initPins } from "./pins.js";
import { initPolls } from "./polls.js";
import { onDemand } from "./on-demand.js";
import { loadRoomPreferences } from "./room-prefs.js";
import { initRoomView, initialRoomId, joinFromLink, openDirect, openRoom } from "./room-view.js";
import { initSearch } from "./search.js";
import { initShortcuts } from "./shortcuts.js";
import { initSidebar } from "./sidebar.js";
import { socket } from "./socket.js";
import { emit, on, state, threadOnly } from "./store.js";
import { loadRooms, startSync } from "./sync.js";
import { closeThreads, initThreads, openThread } from "./threads.js";
import { initTimeline, setTimelineHooks } from "./timeline.js";
import { initUploads } from "./uploads.js";

const STATUS_TEXT = {
  connecting: "chat-status-connecting",
  connected: "chat-status-connected",
  reconnecting: "chat-status-reconnecting",
  offline: "chat-status-offline",
};

function showConnection(status) {
  const el = byId("connection-status");
  el.dataset.state = status;
  el.querySelector(".connection-text").textContent = t(STATUS_TEXT[status] || status);
  byId("chat").dataset.connection = status;
}

const profileCard = onDemand(async () => {
  const card = await import("./profile-card.js");
  card.initProfileCard({ dm: openDirect });
  return card;
});

/**
 * Opens a room at a message; a reply in a thread opens its thread in the panel too (only
 * there when it is not also in the main timeline).
 */
async function openAt(roomId, messageId, seq, message = null) {
  if (!message?.thread_id) return openRoom(roomId, { messageId, seq });
  const at = threadOnly(message) ? { focus: false } : { messageId, seq, focus: false };
  if (!(await openRoom(roomId, at))) return false;
  openThread(message.thread_id, { focus: false });
  return true;
}

/** Opens the profile card of `username`, loading it the first time. */
function openProfile(username) {
  return profileCard().then((card) => card.openProfile(username), toastError);
}

const viewer = onDemand(() => import("./viewer.js"));

/** A plain click on a picture in the timeline opens it in the viewer; a modified one, a tab. */
function initViewerLinks() {
  byId("timeline").addEventListener("click", (event) => {
    const link = event.target.closest(".attachment-image");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    viewer().then(({ openViewer }) => openViewer(link), toastError);
  });
}

function initHeader() {
  byId("me-name").textContent = state.me.display_name || state.me.username;
  byId("me-name").title = `@${state.me.username}`;
  byId("admin-link").hidden = !(state.me.role === "moderator" || state.me.role === "admin");
  byId("logout-button").addEventListener("click", async () => {
    socket.stop();
    await pushUnsubscribe();
    try {
      await api("POST", "/api/v1/auth/logout");
    } catch {
      // Signed out already, or offline: the login page is still the right place.
    }
    location.href = "/login";
  });
  showConnection(socket.status);
  on("connection", showConnection);
}

async function boot() {
  const root = byId("chat");
  const data = JSON.parse(root.dataset.boot || "{}");
  initI18n(data);
  initApi(data.lang);
  state.me = data.me;
  state.limits = data.limits || {};

  initNotify({ open: (roomId) => openRoom(roomId) });
  initHeader();
  // Wiring every part is split in a few tasks, so none of them blocks the page for long.
  await yieldToBrowser();
  initTimeline();
  initViewerLinks();
  initComposer();
  initUploads();
  initPolls();
  await yieldToBrowser();
  initMembers({ profile: openProfile, closeThreads: () => closeThreads({ focus: false }) });
  initRoomView({ profile: openProfile });
  initSidebar();
  initShortcuts();
  initSearch({ open: openAt });
  initInbox({ open: openAt });
  initPush({ open: openAt });
  initPins({ open: openAt });
  on("inbox", (count) => setInboxCount(count, drawFavicon));
  initThreads({ openRoom: (roomId) => openRoom(roomId, { focus: false }), focusComposer });
  setTimelineHooks({
    reply: setReply,
    profile: openProfile,
    open: (roomId, messageId) => openRoom(roomId, { messageId }),
    thread: (rootId, from) => openThread(rootId, { from }),
  });
  startSync();

  // My per-room levels and mutes, for the room header's bell; not needed for the first paint.
  socket.on("ready", () => loadRoomPreferences().catch(() => {}));
  socket.on("auth-lost", async () => {
    // Revoked or banned: if the session is gone, the only place to go is the login page.
    try {
      await api("GET", "/api/v1/users/me");
    } catch (error) {
      if (error.status === 401 || error.status === 403) location.href = "/login";
    }
  });
  window.addEventListener("online", () => socket.retrySoon());
  window.addEventListener("offline", () => showConnection("offline"));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") socket.retrySoon();
  });

  byId("rooms-retry").addEventListener("click", () => firstRooms(root));
  await firstRooms(root);
  dropEarly();
  updateTitle();
  socket.connect();
  root.dataset.ready = "true";
}

/** The room list's first answer: loaded (then the room to open), or failed with a retry. */
async function firstRooms(root) {
  root.dataset.rooms = "loading";
  emit("rooms");
  try {
    await loadRooms();
  } catch (error) {
    root.dataset.rooms = "failed";
    emit("rooms");
    byId("rooms-retry").focus();
    return;
  }
  const first = (await joinFromLink()) || initialRoomId();
  if (first) {
    const target = addressed();
    if (target?.room === first) await openAddressed(target, false);
    else await openRoom(first, { focus: false });
  }
  // A link to a message followed while the page is open (a notification's click).
  window.addEventListener("hashchange", () => {
    const target = addressed();
    if (target) openAddressed(target, true);
  });
}

/** Opens what the address points at: its room, at its message, in its thread if it names one. */
function openAddressed({ room, messageId, seq, thread }, focus) {
  if (thread) return openAt(room, messageId, seq, { id: messageId, seq, thread_id: thread });
  return openRoom(room, messageId ? { focus, messageId, seq } : { focus });
}

boot().catch((error) => {
  console.error(error);
  toastError(error);
});
