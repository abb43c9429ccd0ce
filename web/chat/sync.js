// Keeping the store in step with the server. Every room we belong to is subscribed (so
// badges move live); each remembers the highest timeline seq it has seen. After a
// reconnect each room is re-subscribed with `after_seq` = that seq, and the server
// replays exactly what we missed. Messages are keyed by id, so nothing is ever shown twice.

import { api } from "./api.js";
import { byId } from "./dom.js";
import { t } from "./i18n.js";
import { beep, notifyMention, toast, updateTitle } from "./notify.js";
import { fireAndForget, perform } from "./ops.js";
import { pinEvent, savedEvent } from "./pins.js";
import { socket } from "./socket.js";
import {
  emit, presence, putMessage, putPoll, roomEntry, roomTitle, state, threadOnly, withThreadReply,
} from "./store.js";

let roomsLoaded = false;

/** Fetches the room list and merges it; subscribes rooms we did not know. */
export async function loadRooms() {
  const views = await api("GET", "/api/v1/rooms");
  roomsLoaded = true;
  byId("chat").dataset.rooms = "loaded";
  const listed = new Set();
  for (const view of views) {
    listed.add(view.id);
    const known = state.rooms.get(view.id);
    if (known) mergeSummary(known, view);
    else roomEntry(view);
  }
  for (const id of [...state.rooms.keys()]) if (!listed.has(id)) removeRoom(id);
  if (socket.open) for (const room of state.rooms.values()) if (!room.subscribed) subscribe(room);
  emit("rooms");
  updateTitle();
}

/** The server's counts are authoritative; our live state may be newer than its snapshot. */
function mergeSummary(room, view) {
  const ours = room.view.last_message;
  const keepOurs = ours && (!view.last_message || ours.seq > view.last_message.seq);
  room.view = {
    ...room.view,
    ...view,
    last_seq: Math.max(room.view.last_seq, view.last_seq),
    last_message: keepOurs ? ours : view.last_message,
  };
  room.countedSeq = Math.max(room.countedSeq, view.last_seq);
}

/** Adds a room we just created, joined or were added to, and subscribes it. */
export function addRoom(view) {
  const room = state.rooms.has(view.id) ? state.rooms.get(view.id) : roomEntry(view);
  if (state.rooms.has(view.id)) mergeSummary(room, view);
  if (socket.open && !room.subscribed) subscribe(room);
  emit("rooms");
  updateTitle();
  return room;
}

export function removeRoom(id) {
  const room = state.rooms.get(id);
  if (!room) return;
  for (const { timer } of room.typing.values()) clearTimeout(timer);
  state.rooms.delete(id);
  if (room.subscribed && socket.open) socket.request("unsubscribe", { room_id: id }).catch(() => {});
  if (state.activeRoomId === id) {
    state.activeRoomId = null;
    emit("active");
  }
  emit("rooms");
  updateTitle();
}

async function subscribe(room) {
  room.subscribed = true;
  try {
    await socket.request("subscribe", { room_id: room.id, after_seq: room.seenSeq });
  } catch (error) {
    room.subscribed = false;
    // No longer a member (kicked while away): the list refresh removes the room.
    if (error.code && error.code.startsWith("room.")) removeRoom(room.id);
  }
}

/** Marks a room read up to its latest event (when the user is actually looking at it). */
export function markRead(room) {
  const view = room.view;
  const seq = view.last_seq;
  const changed = view.unread || view.unread_mentions;
  view.unread = 0;
  view.unread_mentions = 0;
  if (changed) {
    emit("room", room.id);
    updateTitle();
  }
  if (seq <= (view.last_read_seq || 0)) return;
  view.last_read_seq = seq;
  perform("read", { room_id: room.id, seq }).catch(() => {
    // Lost read marks only leave a badge behind; the next read fixes it.
  });
}

export function startSync() {
  socket.on("ready", async ({ first }) => {
    const rooms = [...state.rooms.values()];
    for (const room of rooms) room.subscribed = false;
    await Promise.all(rooms.map(subscribe));
    // After a reconnect, or when the list could not be fetched before the socket was up.
    if (!first || !roomsLoaded) {
      // Counts, new rooms and rooms we were removed from while away.
      try {
        await loadRooms();
      } catch {
        // The socket is up; a failed refresh is retried by the next reconnect.
      }
      emit("resumed");
    }
  });
  socket.on("event", applyFrame);
  socket.on("status", (status) => emit("connection", status));
}

function applyFrame(frame) {
  const room = frame.room_id ? state.rooms.get(frame.room_id) : null;
  if (frame.seq != null) {
    if (!room) {
      // A room we do not know yet (joined elsewhere): the list knows.
      if (frame.type === "member.joined" && frame.data?.user?.id === state.me.id) loadRooms().catch(() => {});
      return;
    }
    // Replay after a resume never overlaps what we saw, but a guard costs nothing.
    if (frame.seq <= room.seenSeq) return;
    room.seenSeq = frame.seq;
    room.view.last_seq = Math.max(room.view.last_seq, frame.seq);
  }
  const handler = HANDLERS[frame.type];
  if (handler) handler(room, frame.data || {}, frame);
}

/** An edited root keeps the thread summary it had when the event carries none. */
function keepSummary(before, message) {
  return message.thread || !before?.thread ? message : { ...message, thread: before.thread };
}

/** The open thread when it is in `room`. */
function threadIn(room) {
  return state.thread?.roomId === room.id ? state.thread : null;
}

function updateMessage(room, message) {
  if (room.view.last_message?.id === message.id) {
    room.view.last_message = message;
    emit("room", room.id);
  }
  const thread = threadIn(room);
  if (thread?.root?.id === message.id) {
    thread.root = keepSummary(thread.root, message);
    emit("thread", { id: message.id });
  } else if (thread?.replies.has(message.id)) {
    thread.replies.set(message.id, message);
    emit("thread", { id: message.id });
  }
  const timeline = room.timeline;
  if (!timeline?.messages.has(message.id)) return;
  timeline.messages.set(message.id, keepSummary(timeline.messages.get(message.id), message));
  emit("message", { roomId: room.id, id: message.id });
}

function patchMessage(room, id, patch) {
  const timeline = room.timeline;
  const thread = threadIn(room);
  const current = timeline?.messages.get(id)
    || (thread?.root?.id === id ? thread.root : thread?.replies.get(id))
    || (room.view.last_message?.id === id ? room.view.last_message : null);
  if (current) updateMessage(room, { ...current, ...patch });
}

/**
 * A reply in a thread: its root's summary (in the timeline and in the open panel) counts
 * it, and the open thread shows it.
 */
function threadReply(room, message) {
  const timeline = room.timeline;
  const root = timeline?.messages.get(message.thread_id);
  if (root) timeline.messages.set(root.id, withThreadReply(root, message));
  const thread = threadIn(room);
  if (thread?.rootId !== message.thread_id) return;
  // The page the panel loaded counted the replies it holds already.
  if (thread.root && !thread.counted.has(message.id)) thread.root = withThreadReply(thread.root, message);
  thread.counted.add(message.id);
  thread.replies.set(message.id, message);
  emit("thread", { id: message.id, created: true, mine: message.author?.id === state.me.id });
}

function stopTyping(room, userId) {
  const entry = room.typing.get(userId);
  if (!entry) return;
  clearTimeout(entry.timer);
  room.typing.delete(userId);
  emit("typing", room.id);
}

/** Adopts a message we sent (from the ack or REST reply) before its event arrives. */
export function adoptOwnMessage(message) {
  const room = state.rooms.get(message.room_id);
  const thread = state.thread;
  if (message.thread_id && thread?.rootId === message.thread_id && !thread.replies.has(message.id)) {
    thread.replies.set(message.id, message);
    emit("thread", { id: message.id, created: true, mine: true });
  }
  if (threadOnly(message) || !room?.timeline?.live || room.timeline.hasNewer) return;
  if (putMessage(room.timeline, message, true)) emit("message", { roomId: room.id, id: message.id, created: true, mine: true });
}

const HANDLERS = {
  "message.created"(room, message) {
    const view = room.view;
    // A reply that stays in its thread is not in the main timeline: only its root's
    // summary changes there, and it is neither the room's latest message nor unread in it
    // (the thread keeps its own unread state).
    const inTimeline = !threadOnly(message);
    if (inTimeline && (!view.last_message || message.seq >= view.last_message.seq)) view.last_message = message;
    const mine = message.author?.id === state.me.id;
    if (message.author) stopTyping(room, message.author.id);
    if (inTimeline && !mine && message.seq > room.countedSeq) {
      view.unread = (view.unread || 0) + 1;
      // No sound for the conversation the user is looking at.
      const watching = state.activeRoomId === room.id && document.visibilityState === "visible" && document.hasFocus();
      if (!watching) beep();
    }
    room.countedSeq = Math.max(room.countedSeq, message.seq);
    const timeline = room.timeline;
    if (timeline?.live && inTimeline) {
      if (timeline.hasNewer) timeline.parked.push(message);
      else putMessage(timeline, message);
    }
    if (message.thread_id) threadReply(room, message);
    emit("rooms");
    updateTitle();
    if (timeline?.live && inTimeline) emit("message", { roomId: room.id, id: message.id, created: true, mine });
    else if (timeline?.live) emit("message", { roomId: room.id, id: message.thread_id, threadReply: true });
  },
  "message.edited"(room, message) {
    updateMessage(room, message);
  },
  "message.deleted"(room, data) {
    patchMessage(room, data.id, {
      deleted: true, body: "", attachments: [], embeds: [], reactions: [], deleted_by: data.deleted_by,
    });
    pinEvent(room, "message.deleted", data);
  },
  "message.pinned"(room, data) {
    pinEvent(room, "message.pinned", data);
  },
  "message.unpinned"(room, data) {
    pinEvent(room, "message.unpinned", data);
  },
  "thread.follow"(_room, data) {
    state.threadFollows.set(data.root_id, data);
    if (state.thread?.rootId === data.root_id) state.thread.following = data.following;
    emit("thread.follow", data.root_id);
  },
  "saved.changed"(_room, data) {
    savedEvent(data);
  },
  "message.embeds"(room, data) {
    patchMessage(room, data.message_id, { embeds: data.embeds || [] });
  },
  "reaction.added"(room, data) {
    patchMessage(room, data.message_id, { reactions: data.reactions || [] });
  },
  "reaction.removed"(room, data) {
    patchMessage(room, data.message_id, { reactions: data.reactions || [] });
  },
  "member.joined"(room, data) {
    const user = data.user;
    // My own join is already counted in the room we got back; a known member is no news.
    const known = user && (user.id === state.me.id || room.members?.has(user.id));
    if (room.members && user && !room.members.has(user.id)) {
      room.members.set(user.id, {
        user, role: data.role || "member", presence: presence.get(user.id) || "online",
        joined_at: new Date().toISOString(), muted_until: null,
      });
      emit("members", room.id);
    }
    if (!known) room.view.member_count = (room.view.member_count || 0) + 1;
    if (room.members) room.view.member_count = room.members.size;
    emit("room", room.id);
  },
  "member.left"(room, data) {
    if (data.user?.id === state.me.id) {
      if (data.kicked_by) toast(t("chat-kicked", { room: roomTitle(room.view) }), "error");
      removeRoom(room.id);
      return;
    }
    room.view.member_count = Math.max(0, (room.view.member_count || 1) - 1);
    if (room.members && data.user) {
      room.members.delete(data.user.id);
      room.view.member_count = room.members.size;
      emit("members", room.id);
    }
    emit("room", room.id);
  },
  "room.updated"(room, view) {
    for (const key of ["name", "topic", "kind", "locked", "retention_days", "member_count", "members_can_pin"]) {
      if (key in view) room.view[key] = view[key];
    }
    // Absent means none: retention set back to forever, or a room made public (which has
    // no invite code any more; events never carry the code itself).
    room.view.retention_days = view.retention_days ?? null;
    if (view.kind === "public") room.view.invite_code = null;
    emit("rooms");
    emit("room", room.id);
  },
  "poll.updated"(room, poll) {
    putPoll(poll);
  },
  "poll.closed"(room, poll) {
    putPoll(poll);
  },
  typing(room, data) {
    if (!room || !data.user || data.user.id === state.me.id) return;
    stopTyping(room, data.user.id);
    if (data.active === false) return;
    const timer = setTimeout(() => stopTyping(room, data.user.id), data.expires_in_ms || 6000);
    room.typing.set(data.user.id, { user: data.user, timer });
    emit("typing", room.id);
  },
  presence(room, data) {
    for (const change of data.changes || []) {
      if (!change.user) continue;
      presence.set(change.user.id, change.status);
      for (const each of state.rooms.values()) {
        const member = each.members?.get(change.user.id);
        if (member) {
          member.presence = change.status;
          emit("members", each.id);
        }
      }
    }
    emit("presence");
  },
  read(room, data) {
    if (!room || data.user?.id !== state.me.id) return;
    // Read on another of my devices.
    if (data.seq > (room.view.last_read_seq || 0)) room.view.last_read_seq = data.seq;
    if (data.seq >= room.view.last_seq && (room.view.unread || room.view.unread_mentions)) {
      room.view.unread = 0;
      room.view.unread_mentions = 0;
      emit("room", room.id);
      updateTitle();
    }
  },
  mention(room, data) {
    if (!room || !data.message) return;
    const reading = state.activeRoomId === room.id && document.visibilityState === "visible";
    if (reading) return;
    // A mention in a reply kept in its thread counts in the thread, not in the room.
    if (!threadOnly(data.message)) room.view.unread_mentions = (room.view.unread_mentions || 0) + 1;
    notifyMention(room.id, roomTitle(room.view), data.message.author);
    emit("room", room.id);
  },
  "room.added"(_room, view) {
    if (view?.id) addRoom(view);
  },
  "room.removed"(room, data) {
    if (!room) return;
    // The one who deleted it already knows; everyone else is told why it went away.
    if (data.deleted_by?.id !== state.me.id) toast(t("chat-room-deleted", { room: roomTitle(room.view) }), "error");
    removeRoom(room.id);
  },
  system(_room, data) {
    const text = data.message || data.text;
    if (text) toast(text);
  },
};

/** Sends "I am typing" (the server absorbs repeats; we still throttle to save frames). */
export function sendTyping(room) {
  fireAndForget("typing", { room_id: room.id });
}
