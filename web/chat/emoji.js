// The emoji the picker and the `:shortcode:` autocomplete offer: the data set (loaded with
// `import()` the first time either is used, never with the page: it is larger than the
// rest of the client), the server's custom emoji, search by English or Persian name,
// keyword or shortcode, the skin tone and the recently used ones this browser remembers.

import { api } from "./api.js";
import { currentLang } from "./i18n.js";
import { fold, words } from "./fuzzy.js";
import { onDemand } from "./on-demand.js";

const RECENT_KEY = "anjoman.emoji.recent";
const TONE_KEY = "anjoman.emoji.tone";
const RECENT_MAX = 24;

/**
 * One emoji as the client uses it: `emoji` (what is sent: the character, or `:name:` for a
 * custom one), `name` in the page's language, `shortcode`, `group` (a data-set group key,
 * or "custom"), `skins` (five toned forms) and, for custom emoji, `url`.
 */
function entry([emoji, group, en, shortcodes, tags, fa, faKeywords, skins], groups) {
  const codes = shortcodes ? shortcodes.split("|") : [];
  const split = (list) => (list ? list.split("|") : []);
  const names = [en, fa, ...codes].filter(Boolean);
  return {
    emoji,
    group: groups[group],
    name: (currentLang().startsWith("fa") && fa) || en,
    shortcode: codes[0] || en.replace(/\W+/g, "_"),
    skins: skins || null,
    names: names.map(fold),
    keywords: [...split(tags), ...split(faKeywords)].map(fold),
    words: [...new Set([...names, ...split(tags), ...split(faKeywords)].flatMap(words))],
  };
}

function customEntry({ name, url }) {
  return { emoji: `:${name}:`, group: "custom", name, shortcode: name, skins: null, url, names: [fold(name)], keywords: [], words: words(name) };
}

/**
 * The server's custom emoji; none when it has no such list (a 404 from a server without
 * the feature) or it fails: the picker then just has no "Custom" tab.
 */
async function loadCustom() {
  try {
    const list = await api("GET", "/api/v1/emoji");
    return Array.isArray(list) ? list.filter((e) => e?.name && e?.url).map(customEntry) : [];
  } catch {
    return [];
  }
}

/** `{groups, all}`: the group keys in order and every emoji, custom ones first. */
export const loadEmoji = onDemand(async () => {
  const [{ default: data }, custom] = await Promise.all([import("./emoji-data.js"), loadCustom()]);
  const all = [...custom, ...data.emoji.map((row) => entry(row, data.groups))];
  return { groups: [...(custom.length ? ["custom"] : []), ...data.groups], all };
});

/**
 * How well `query` (already folded, and its words) names `item`: 4 a name or shortcode,
 * 3.5 a whole keyword («شست» is one of 👍's, and ranks it above 🫰 «…انگشت اشاره و شست»),
 * 3 the start of a name, 2 the starts of its words, 1.5 inside a name; 0 no match.
 */
function score(item, query, queryWords) {
  if (item.names.includes(query)) return 4;
  if (item.keywords.includes(query)) return 3.5;
  if (item.names.some((name) => name.startsWith(query))) return 3;
  if (queryWords.every((q) => item.words.some((word) => word.startsWith(q)))) return 2;
  return item.names.some((name) => name.includes(query)) ? 1.5 : 0;
}

/** The emoji matching `query` (English or Persian, spellings folded), best first. */
export function searchEmoji(all, query, limit = Infinity) {
  const folded = fold(query);
  const queryWords = words(query);
  if (!folded || !queryWords.length) return [];
  return all
    .map((item, order) => ({ item, order, score: score(item, folded, queryWords) }))
    .filter(({ score: s }) => s > 0)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, limit)
    .map(({ item }) => item);
}

function stored(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

function store(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Private mode or a full storage: the choice is just not remembered.
  }
}

/** The chosen skin tone: 0 (none, the yellow default) to 5 (darkest). */
export function skinTone() {
  const tone = Number(stored(TONE_KEY, 0));
  return Number.isInteger(tone) && tone >= 0 && tone <= 5 ? tone : 0;
}

export function setSkinTone(tone) {
  store(TONE_KEY, tone);
}

/** `item`'s form in the chosen skin tone (itself when it has none). */
export function toned(item, tone = skinTone()) {
  return tone && item.skins ? item.skins[tone - 1] : item.emoji;
}

/** The emoji most recently used here, newest first (as sent, tone included). */
export function recentEmoji() {
  const list = stored(RECENT_KEY, []);
  return Array.isArray(list) ? list.filter((e) => typeof e === "string") : [];
}

export function rememberEmoji(emoji) {
  store(RECENT_KEY, [emoji, ...recentEmoji().filter((e) => e !== emoji)].slice(0, RECENT_MAX));
}

/**
 * The items for recently used emoji, each as it was used (a toned form keeps its tone
 * and finds its base emoji's names; an untoned one stays untoned).
 */
export function recentItems(all) {
  const byEmoji = new Map();
  for (const item of all) {
    byEmoji.set(item.emoji, { ...item, skins: null });
    for (const skin of item.skins || []) byEmoji.set(skin, { ...item, emoji: skin, skins: null });
  }
  return recentEmoji().map((emoji) => byEmoji.get(emoji)).filter(Boolean);
}
