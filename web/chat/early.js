// The chat's first data, asked for while the rest of the page's modules are still on
// their way. The page loads this module on its own (`async`, no imports), so it runs as
// soon as it arrives: the room list and the history of the room the address (or this
// tab) last showed are requested at once instead of one after the other behind every
// module. `api()` takes each answer from here the first time it asks for the same path.
//
// On a phone's slow network each of these waits is a round trip; together they were most of
// the time before the chat showed its messages (issue 18: Lighthouse's mobile figures).

/** The address of an open room is `#room=<id>`; this tab's last room is also kept here. */
export const HASH_PREFIX = "#room=";
export const LAST_ROOM_KEY = "anjoman.room";
// A page of history, here and in timeline.js, so the early ask is the one the timeline makes.
export const HISTORY_PAGE = 50;

const pending = new Map();

function ask(path) {
  const lang = document.documentElement.lang || "en-US";
  const answer = fetch(path, {
    credentials: "same-origin",
    headers: { Accept: "application/json", "Accept-Language": lang },
  })
    .then((response) => {
      if (response.ok) loadFontFor(response.clone());
      return response;
    })
    // A failure here is not reported: `api()` then asks again and reports its own.
    .catch(() => null);
  pending.set(path, answer);
}

// Arabic-script text needs Vazirmatn, which the browser would only start fetching once the
// messages are on screen. Asking for it as soon as the data shows such text takes that
// last round trip off the first paint of a Persian conversation.
const ARABIC_SCRIPT = /[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/;
let fontAsked = false;

async function loadFontFor(response) {
  if (fontAsked || !document.fonts) return;
  try {
    const text = await response.text();
    if (fontAsked || !ARABIC_SCRIPT.test(text)) return;
    fontAsked = true;
    await document.fonts.load('1em "Vazirmatn"', "\u0627");
  } catch {
    // The font still arrives when the text is laid out.
  }
}

/**
 * What the address asks to open: `#room=<id>`, and in links from mail and push
 * notifications also `&message=<id>&seq=<n>`, the message to show, and `&thread=<id>` when it
 * is a reply kept in that thread.
 */
export function addressed() {
  if (!location.hash.startsWith(HASH_PREFIX)) return null;
  try {
    const params = new URLSearchParams(location.hash.slice(1));
    const room = params.get("room");
    if (!room) return null;
    const seq = Number.parseInt(params.get("seq") || "", 10);
    return {
      room, messageId: params.get("message"), seq: Number.isSafeInteger(seq) ? seq : null, thread: params.get("thread"),
    };
  } catch {
    // A malformed address names no room.
    return null;
  }
}

/** The rooms the page may open first, best first: the address's, then this tab's last. */
export function addressedRooms() {
  const rooms = [addressed()?.room];
  try {
    rooms.push(sessionStorage.getItem(LAST_ROOM_KEY));
  } catch {
    // Storage may be off; the address still works.
  }
  return rooms.filter(Boolean);
}

/**
 * A page of a room's main timeline: thread replies stay in their threads (threads.js),
 * except those also sent to the room.
 */
export function historyPath(roomId, query = "") {
  return `/api/v1/rooms/${encodeURIComponent(roomId)}/messages?limit=${HISTORY_PAGE}&include_threads=false${query}`;
}

/** The early answer for `path` (a Response, or null if it failed), once; else undefined. */
export function takeEarly(path) {
  const answer = pending.get(path);
  pending.delete(path);
  return answer;
}

/**
 * Forgets what was not taken. Called once the first room is open: an answer from page load
 * would be stale for a room opened later, whose messages since then the socket never sent.
 */
export function dropEarly() {
  pending.clear();
}

if (document.getElementById("chat")) {
  ask("/api/v1/rooms");
  const [room] = addressedRooms();
  if (room) ask(historyPath(room));
}
