// Entry point of the chat page: reads the boot data the server rendered into
// <main id="chat" data-boot>, wires the modules together, loads the room list and opens
// the WebSocket. Each module owns one part of the page; they talk through store.js.

import { api, initApi } from "./api.js";
import { byId, yieldToBrowser } from "./dom.js";
import { dropEarly } from "./early.js";
import { initI18n, t } from "./i18n.js";
import { initComposer, setReply } from "./composer.js";
import { initMembers } from "./members.js";
import { initNotify, toastError, updateTitle } from "./notify.js";
import { initPolls } from "./polls.js";
import { initProfileCard, openProfile } from "./profile-card.js";
import { initRoomView, initialRoomId, joinFromLink, openDirect, openRoom } from "./room-view.js";
import { initSearch } from "./search.js";
import { initShortcuts } from "./shortcuts.js";
import { initSidebar } from "./sidebar.js";
import { socket } from "./socket.js";
import { emit, on, state } from "./store.js";
import { loadRooms, startSync } from "./sync.js";
import { initTimeline, setTimelineHooks } from "./timeline.js";
import { initUploads } from "./uploads.js";
import { initViewer } from "./viewer.js";

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

function initHeader() {
  byId("me-name").textContent = state.me.display_name || state.me.username;
  byId("me-name").title = `@${state.me.username}`;
  byId("admin-link").hidden = !(state.me.role === "moderator" || state.me.role === "admin");
  byId("logout-button").addEventListener("click", async () => {
    socket.stop();
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
  initViewer();
  initComposer();
  initUploads();
  initPolls();
  await yieldToBrowser();
  initProfileCard({ dm: openDirect });
  initMembers({ profile: openProfile });
  initRoomView();
  initSidebar();
  initShortcuts();
  initSearch({ open: (roomId, messageId, seq) => openRoom(roomId, { messageId, seq }) });
  setTimelineHooks({ reply: setReply, profile: openProfile });
  startSync();

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
  if (first) await openRoom(first, { focus: false });
}

boot().catch((error) => {
  console.error(error);
  toastError(error);
});
