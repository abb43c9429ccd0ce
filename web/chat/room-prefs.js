// My notification overrides per room (level, mute), loaded once the socket is up and kept
// here, so the room header can show a muted room without asking the server each time.

import { api } from "./api.js";
import { emit } from "./store.js";

const prefs = new Map();

export function roomPreference(roomId) {
  return prefs.get(roomId) || null;
}

/** Whether `roomId` is muted now. */
export function roomMuted(roomId) {
  const pref = prefs.get(roomId);
  if (!pref) return false;
  return pref.muted_forever || Boolean(pref.muted_until && new Date(pref.muted_until) > new Date());
}

export function setRoomPreference(roomId, pref) {
  if (pref) prefs.set(roomId, pref);
  else prefs.delete(roomId);
  emit("room", roomId);
}

export async function loadRoomPreferences() {
  const list = await api("GET", "/api/v1/notifications/rooms");
  prefs.clear();
  for (const pref of list) prefs.set(pref.room_id, pref);
  emit("rooms");
}
