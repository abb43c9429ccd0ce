// Fuzzy matching for the quick switcher, Persian-aware: the ways one Persian word is
// commonly typed compare equal. Arabic yeh and kaf fold to the Persian letters, the
// half-space (ZWNJ), tatweel and vowel marks vanish, Persian and Arabic digits become
// ASCII, and case is ignored; so «کتابخانه» finds «کتاب‌خانه» and «علي» finds «علی».

const LETTERS = new Map([
  ["\u064a", "\u06cc"], // Arabic yeh → Persian yeh
  ["\u0649", "\u06cc"], // alef maksura → Persian yeh
  ["\u0643", "\u06a9"], // Arabic kaf → Persian keheh
  ["\u0629", "\u0647"], // teh marbuta → heh
  ["\u06c0", "\u0647"], // heh with yeh above → heh
  ["\u0671", "\u0627"], // alef wasla → alef (the others lose their marks when decomposed)
]);
/** Joiners, direction marks, tatweel: invisible or decorative, never typed alike. */
const INVISIBLE = /[\u200b-\u200f\u0640\u2066-\u2069]/g;
/** Word boundaries, the half-space included («کتاب‌خانه» has the words کتاب and خانه). */
const SEPARATORS = /[\s\u200c\-_.#@/،,]+/;

/** The form two spellings of one name share. */
export function fold(text) {
  return String(text ?? "")
    // Decomposing strips accents and Arabic marks alike (آ → ا, أ → ا, ؤ → و, ئ → ي → ی)
    // and turns presentation forms into letters: the server's search folds the same way.
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(INVISIBLE, "")
    .replace(/\u200c/g, "")
    .replace(/[\u064a\u0649\u0643\u0629\u06c0\u0671]/g, (c) => LETTERS.get(c))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .toLowerCase()
    .replace(/\s+/g, "");
}

/** The folded words of `text` (the emoji search matches word starts too). */
export function words(text) {
  return String(text ?? "").split(SEPARATORS).map(fold).filter(Boolean);
}

function isSubsequence(needle, hay) {
  let at = 0;
  for (const ch of hay) {
    if (ch === needle[at]) at += 1;
    if (at === needle.length) return true;
  }
  return at === needle.length;
}

/**
 * How well `query` matches `text`: 4 whole, 3 prefix, 2 the start of a word (every query
 * word starting one), 1.5 a substring, 1 the letters in order, 0 no match.
 */
export function score(query, text) {
  const q = fold(query);
  if (!q) return 1;
  const key = fold(text);
  if (!key) return 0;
  if (key === q) return 4;
  if (key.startsWith(q)) return 3;
  const its = words(text);
  const asked = words(query);
  if (asked.length && asked.every((w) => its.some((word) => word.startsWith(w)))) return 2;
  if (key.includes(q)) return 1.5;
  return isSubsequence(q, key) ? 1 : 0;
}

/** The best score of `query` against any of `texts` (a name, a username, …). */
export function bestScore(query, texts) {
  return Math.max(0, ...texts.filter(Boolean).map((text) => score(query, text)));
}
