// The `:` provider of the composer's autocomplete: `:smi` offers 😄 and its neighbours,
// by shortcode or English or Persian name (`:شست` finds 👍). Enter puts the emoji (in the
// chosen skin tone) in place of what was typed; a custom emoji goes in as `:name:`.

import { registerProvider } from "./autocomplete.js";
import { h } from "./dom.js";
import { loadEmoji, rememberEmoji, searchEmoji, toned } from "./emoji.js";

const SHOWN = 8;

function sent(item) {
  return item.group === "custom" ? item.emoji : toned(item);
}

export function registerEmojiProvider() {
  registerProvider({
    trigger: ":",
    minChars: 2,
    label: "chat-emoji-suggestions",
    async search(query) {
      const { all } = await loadEmoji();
      return searchEmoji(all, query, SHOWN);
    },
    render: (item) => [
      h("span", { class: "autocomplete-emoji", "aria-hidden": "true" },
        item.url ? h("img", { src: item.url, alt: "", class: "emoji-custom" }) : sent(item)),
      h("span", { class: "autocomplete-name", dir: "auto" }, item.name),
      h("span", { class: "autocomplete-detail", dir: "ltr" }, `:${item.shortcode}:`),
    ],
    insert: sent,
    chosen: (item) => rememberEmoji(sent(item)),
  });
}
