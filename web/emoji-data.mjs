// The emoji picker's and the `:shortcode:` autocomplete's data (issue 20), made from two
// maintained data sets rather than a list of ours: `emojibase-data` (English names, tags,
// groups, skin tones, GitHub and CLDR shortcodes) and CLDR's Persian names and keywords
// (`cldr-annotations-full`, and `cldr-annotations-derived-full` for the emoji CLDR names
// by rule rather than one by one: flags, families and other sequences). bundle.mjs writes what `emojiDataModule()` returns to
// templates/static/chat/emoji-data.js, an ES module the client loads with `import()` the
// first time the picker or the autocomplete is used, never with the page.
//
// Only what the client uses is kept, as arrays rather than objects, so the module stays
// small (the server sends it compressed, too): one row per emoji,
//   [emoji, group, English name, "shortcode|…", "tag|…", Persian name, "keyword|…", skins?]
// where skins, when the emoji has them, are its five single-tone forms, light to dark.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const json = (name) => JSON.parse(readFileSync(require.resolve(name), "utf8"));

/**
 * Emoji newer than this are left out: their glyphs are missing from most phones' and
 * desktops' fonts still, and a reaction nobody can see is worse than none.
 */
const MAX_VERSION = 15;
/** emojibase's group of skin-tone and hair components: parts of emoji, not emoji to pick. */
const COMPONENT_GROUP = 2;

/**
 * The fully-qualified form (Unicode's emoji-test.txt): emojibase adds U+FE0F after every
 * emoji-presentation character too, and a reaction spelt "👍\uFE0F" would not be the one
 * the quick reactions send as "👍".
 */
function qualified(text) {
  return text.replace(/(\p{Emoji_Presentation})\uFE0F/gu, "$1");
}

/** CLDR keys its annotations without any U+FE0F. */
function annotationKey(text) {
  return text.replace(/\uFE0F/g, "");
}

export function emojiData() {
  const emoji = json("emojibase-data/en/data.json");
  const github = json("emojibase-data/en/shortcodes/github.json");
  const cldr = json("emojibase-data/en/shortcodes/cldr.json");
  const groups = json("emojibase-data/meta/groups.json").groups;
  const persian = {
    ...json("cldr-annotations-derived-full/annotationsDerived/fa/annotations.json").annotationsDerived.annotations,
    ...json("cldr-annotations-full/annotations/fa/annotations.json").annotations.annotations,
  };
  const groupKeys = Object.keys(groups).map(Number).filter((g) => g !== COMPONENT_GROUP).sort((a, b) => a - b);
  const rows = emoji
    .filter((e) => e.group !== undefined && e.group !== COMPONENT_GROUP && e.version <= MAX_VERSION)
    .sort((a, b) => a.order - b.order)
    .map((e) => {
      // GitHub's shortcodes (`:smile:`, `:+1:`) are the ones people know; CLDR's spell the
      // English name (`:thumbs_up:`), which search finds anyway, so they are kept only for
      // emoji GitHub has none for.
      const shortcodes = [github[e.hexcode] || cldr[e.hexcode]].flat().filter(Boolean);
      const fa = persian[annotationKey(e.emoji)] || {};
      const faName = fa.tts?.[0] || "";
      const faKeywords = (fa.default || []).filter((word) => word !== faName);
      const row = [
        qualified(e.emoji),
        groupKeys.indexOf(e.group),
        e.label,
        shortcodes.join("|"),
        (e.tags || []).filter((tag) => !e.label.split(" ").includes(tag)).join("|"),
        faName,
        faKeywords.join("|"),
      ];
      const tones = [1, 2, 3, 4, 5].map((tone) => e.skins?.find((skin) => skin.tone === tone && skin.version <= MAX_VERSION));
      if (tones.every(Boolean)) row.push(tones.map((skin) => qualified(skin.emoji)));
      return row;
    });
  return { groups: groupKeys.map((g) => groups[g]), emoji: rows };
}

/** The module's text: `export default {groups, emoji}`. */
export function emojiDataModule(banner) {
  return `${banner}\n// Data: emojibase-data (MIT), cldr-annotations-full and cldr-annotations-derived-full (Unicode-3.0).\nexport default ${JSON.stringify(emojiData())};\n`;
}
