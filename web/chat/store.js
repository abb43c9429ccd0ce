// The client's state in one place, and a small event bus so each view re-renders only
// when what it shows has changed. Views never talk to the network; they read from here.

export const state = {
  /** GET /api/v1/users/me */
  me: null,
  /** { max_file_bytes, allowed_types, message_max_chars, report_reason_max_chars, special_mentions_max_members } */
  limits: {},
  /** room id → RoomState (see roomEntry) */
  rooms: new Map(),
  activeRoomId: null,
  /** poll id → PollView, keeping `my_choices` from our own replies */
  polls: new Map(),
  /** room id → (message id → PinView), once the room's pins are loaded */
  pins: new Map(),
  /** message id → SavedView: my saved messages */
  saved: new Map(),
  /**
   * The thread open in the side panel (threads.js): { roomId, rootId, root, replies (id →
   * MessageView), ready, hasOlder, loading, epoch, following }, or null.
   */
  thread: null,
  /** root id → { following, unread, last_read_seq }: my state in threads, as last heard */
  threadFollows: new Map(),
};

const listeners = new Map();

/**
 * Topics: "rooms" (list changed), "room" (id: one room's summary changed), "active",
 * "timeline" ({roomId, reset?, scrollTo?}), "message" ({roomId, id}), "poll" (id),
 * "members" (roomId), "typing" (roomId), "connection" (status), "pins" (roomId), "saved",
 * "thread" ({id, created?, mine?}: the open thread changed), "thread.follow" (root id),
 * "thread.panel" (open: the thread panel was shown or hidden).
 */
export function on(topic, fn) {
  if (!listeners.has(topic)) listeners.set(topic, new Set());
  listeners.get(topic).add(fn);
}

export function off(topic, fn) {
  listeners.get(topic)?.delete(fn);
}

export function emit(topic, detail) {
  for (const fn of listeners.get(topic) || []) {
    try {
      fn(detail);
    } catch (error) {
      console.warn(`listener for ${topic} failed`, error);
    }
  }
}

/** Creates or refreshes the state of a room from a RoomView. */
export function roomEntry(view) {
  let room = state.rooms.get(view.id);
  if (!room) {
    room = {
      id: view.id,
      view,
      /** Highest timeline seq delivered to us: what we resume after. */
      seenSeq: view.last_seq,
      /** Unread counting starts after this seq (the server's count covers up to it). */
      countedSeq: view.last_seq,
      subscribed: false,
      timeline: null,
      /** user id → MemberView, once loaded */
      members: null,
      /** user id → { user, timer } */
      typing: new Map(),
    };
    state.rooms.set(view.id, room);
  } else {
    room.view = { ...room.view, ...view };
  }
  return room;
}

export function activeRoom() {
  return state.activeRoomId ? state.rooms.get(state.activeRoomId) || null : null;
}

/** The loaded part of a room's history: messages by id, plus paging state. */
export function timelineOf(room) {
  if (!room.timeline) {
    room.timeline = {
      messages: new Map(),
      /** Live events are applied (set before the first page is fetched, so none are lost). */
      live: false,
      /** The first page has arrived. */
      ready: false,
      loading: false,
      /** The first page could not be fetched (retried on reconnect or reopening). */
      failed: false,
      /** Bumped whenever the loaded window is replaced; pages fetched before are dropped. */
      epoch: 0,
      hasOlder: true,
      /** After a jump into the past: newer messages exist that are not loaded yet. */
      hasNewer: false,
      /** Live messages that arrived while hasNewer (merged once we reach the end). */
      parked: [],
      /** The window was loaded from just after this seq (the read position), else null. */
      startsAfter: null,
    };
  }
  return room.timeline;
}

export function sortedMessages(timeline) {
  return [...timeline.messages.values()].sort((a, b) => a.seq - b.seq);
}

/** Adds or replaces a message; `keepExisting` lets history never overwrite fresher live data. */
export function putMessage(timeline, message, keepExisting = false) {
  if (keepExisting && timeline.messages.has(message.id)) return false;
  timeline.messages.set(message.id, message);
  return true;
}

/** A thread reply that stays in its thread (not also sent to the room's main timeline). */
export function threadOnly(message) {
  return Boolean(message?.thread_id) && !message.also_to_room;
}

/**
 * A root with one more reply in its summary: the count, the latest time, and the author
 * first among the repliers (distinct, at most 5), as the server keeps it.
 */
export function withThreadReply(root, reply) {
  const before = root.thread || { reply_count: 0, last_reply_at: reply.created_at, repliers: [] };
  const repliers = reply.author
    ? [reply.author, ...before.repliers.filter((user) => user.id !== reply.author.id)].slice(0, 5)
    : before.repliers;
  return {
    ...root,
    thread: { reply_count: before.reply_count + 1, last_reply_at: reply.created_at, repliers },
  };
}

export function isStaff(user = state.me) {
  return user?.role === "moderator" || user?.role === "admin";
}

/** May I moderate this room (global staff, the owner, or a room moderator)? */
export function canModerate(room) {
  if (!room) return false;
  if (isStaff()) return true;
  if (room.view.owner_id && room.view.owner_id === state.me.id) return true;
  const member = room.members?.get(state.me.id);
  return member?.role === "owner" || member?.role === "moderator";
}

/** Whether I may pin in `room`: its moderators, both people of a direct room, members when allowed. */
export function mayPin(room) {
  if (!room) return false;
  return canModerate(room) || room.view.kind === "direct" || room.view.members_can_pin === true;
}

export function isPinned(room, messageId) {
  return state.pins.get(room?.id)?.has(messageId) === true;
}

export function isSaved(messageId) {
  return state.saved.has(messageId);
}

/** The title a room shows: the other person for a direct room. */
export function roomTitle(view) {
  if (view.kind === "direct" && view.peer) return view.peer.display_name || view.peer.username;
  return view.name;
}

/** Stores a poll; broadcasts carry no `my_choices`, so ours survive them. */
export function putPoll(view) {
  const previous = state.polls.get(view.id);
  state.polls.set(view.id, { ...view, my_choices: view.my_choices ?? previous?.my_choices ?? [] });
  emit("poll", view.id);
}

/** user id → "online" | "away" | "offline", from member lists and presence events. */
export const presence = new Map();
