// Who may do what to whom, mirroring the server's rules so the page offers only what the
// server would allow (it still decides; a refusal shows its reason). Room actions follow
// `domain/room_moderation.rs` (`rank`, `check_outranks`), bans `domain/moderation.rs`.

import { state } from "./store.js";

const GLOBAL = { admin: 4, moderator: 3 };
const LOCAL = { owner: 2, moderator: 1 };

/** How much say someone has in a room: global staff above the room's own. */
export function rank(role, roomRole) {
  return Math.max(GLOBAL[role] || 0, LOCAL[roomRole] || 0);
}

function myRoomRole(room) {
  const mine = room?.members?.get(state.me.id)?.role;
  if (mine) return mine;
  return room?.view.owner_id === state.me.id ? "owner" : null;
}

/** The room's settings I may change: everything for owners and staff, less for moderators. */
export function roomPowers(room) {
  if (!room || room.view.kind === "direct") return { moderate: false, owner: false, delete: false };
  const roomRole = myRoomRole(room);
  const myRank = rank(state.me.role, roomRole);
  return {
    moderate: myRank > 0,
    // Visibility and the invite code: the owner and global staff.
    owner: roomRole === "owner" || myRank >= GLOBAL.moderator,
    // Deleting: the owner or an admin.
    delete: roomRole === "owner" || state.me.role === "admin",
  };
}

/** What I may do to `user` (with role `user.role`, room membership `member`) in `room`. */
export function memberActions(room, user, member) {
  const none = { mute: false, kick: false, ban: false };
  if (!user || user.id === state.me.id) return none;
  const myRank = room && room.view.kind !== "direct" ? rank(state.me.role, myRoomRole(room)) : 0;
  const inRoom = myRank > 0 && member && myRank > rank(user.role, member.role);
  const mine = GLOBAL[state.me.role] || 0;
  const theirs = GLOBAL[user.role] || 0;
  const ban = mine >= GLOBAL.moderator && theirs <= mine && !(mine === GLOBAL.moderator && theirs === GLOBAL.moderator);
  return { mute: Boolean(inRoom), kick: Boolean(inRoom), ban };
}
