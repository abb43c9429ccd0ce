// The `@` provider of the composer's autocomplete: `@pa` offers the room's members whose
// username or any word of whose display name starts so (Persian spellings folded alike,
// so «علي» finds «علی»), those online first; and `@here` / `@room` where the sender may
// use them (the server has the last word: it refuses them past the room-size limit for
// anyone but moderators). Enter puts `@username ` in place of what was typed.

import { registerProvider } from "./autocomplete.js";
import { h } from "./dom.js";
import { fold, words } from "./fuzzy.js";
import { t } from "./i18n.js";
import { loadMembers } from "./members.js";
import { avatar } from "./messages.js";
import { activeRoom, canModerate, state } from "./store.js";

const SHOWN = 8;
const SPECIAL = [
  { special: "here", hint: "chat-mention-here-hint" },
  { special: "room", hint: "chat-mention-room-hint" },
];

function mayUseSpecial(room) {
  const max = state.limits.special_mentions_max_members ?? 50;
  return canModerate(room) || (room.members?.size ?? Infinity) <= max;
}

function rank(member, query) {
  const username = fold(member.user.username);
  if (username.startsWith(query)) return username === query ? 0 : 1;
  const names = words(member.user.display_name || "").map(fold);
  if (names.some((word) => word.startsWith(query))) return 2;
  return null;
}

async function search(query) {
  const room = activeRoom();
  if (!room) return [];
  if (!room.members) await loadMembers(room);
  const folded = fold(query);
  const found = [];
  for (const member of room.members?.values() ?? []) {
    if (member.user.id === state.me.id) continue;
    const r = rank(member, folded);
    if (r != null) found.push({ member, r, online: member.presence === "online" ? 0 : 1 });
  }
  found.sort((a, b) => a.r - b.r || a.online - b.online || a.member.user.username.localeCompare(b.member.user.username));
  const items = found.slice(0, SHOWN).map(({ member }) => ({ id: member.user.id, user: member.user }));
  if (mayUseSpecial(room)) {
    for (const special of SPECIAL) if (special.special.startsWith(folded)) items.push({ id: special.special, ...special });
  }
  return items;
}

export function registerMentionProvider() {
  registerProvider({
    trigger: "@",
    minChars: 0,
    label: "chat-mention-suggestions",
    search,
    key: (item) => item.id,
    render: (item) => item.special
      ? [h("span", { class: "autocomplete-name", dir: "ltr" }, `@${item.special}`), h("span", { class: "autocomplete-detail" }, t(item.hint))]
      : [avatar(item.user), h("bdi", { class: "autocomplete-name", dir: "auto" }, item.user.display_name || item.user.username),
        h("span", { class: "autocomplete-detail", dir: "ltr" }, `@${item.user.username}`)],
    insert: (item) => `@${item.special || item.user.username} `,
  });
}
