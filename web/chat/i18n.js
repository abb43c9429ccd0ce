// Localized text, numbers, dates and sizes. The server hands us every `chat-*` Fluent
// message already rendered, with each `$var` turned into `{var}`; plural messages arrive
// as a map from CLDR category to pattern. All formatting goes through Intl so Persian
// gets Persian digits and (when asked) the Persian calendar without any tables of ours.

let lang = "en-US";
let strings = {};
// Made on first use: building an Intl object loads locale data, start-up work that
// should happen once, for the page's language, not also for a default.
let pluralRules = null;
let numberFormat = null;
let dateLocale = "en-US";
const dateFormats = new Map();

/** Reads language, calendar and messages from the boot data. */
export function initI18n(boot) {
  lang = boot.lang || "en-US";
  strings = boot.strings || {};
  pluralRules = null;
  numberFormat = null;
  const calendar = boot.calendar && boot.calendar !== "gregory" ? boot.calendar : null;
  dateLocale = calendar ? `${lang}-u-ca-${calendar}` : lang;
  try {
    new Intl.DateTimeFormat(dateLocale);
  } catch {
    dateLocale = lang; // an engine without that calendar still gets the language right
  }
  dateFormats.clear();
}

export function currentLang() {
  return lang;
}

function plurals() {
  pluralRules ??= new Intl.PluralRules(lang);
  return pluralRules;
}

function numbers() {
  numberFormat ??= new Intl.NumberFormat(lang);
  return numberFormat;
}

function formatArg(value) {
  return typeof value === "number" ? numbers().format(value) : String(value);
}

/**
 * The message `id` with `{name}` placeholders filled from `args`. A missing id yields the
 * id itself: visible in the page and in tests, and never an exception.
 */
export function t(id, args = {}) {
  let pattern = strings[id];
  if (pattern == null) return id;
  if (typeof pattern === "object") {
    const category = typeof args.count === "number" ? plurals().select(args.count) : "other";
    pattern = pattern[category] ?? pattern.other ?? Object.values(pattern)[0] ?? id;
  }
  return String(pattern).replace(/\{([A-Za-z_][\w-]*)\}/g, (whole, name) =>
    Object.hasOwn(args, name) ? formatArg(args[name]) : whole,
  );
}

export function formatNumber(n) {
  return numbers().format(n);
}

function dateFormat(key, options, make = () => new Intl.DateTimeFormat(dateLocale, options)) {
  let format = dateFormats.get(key);
  if (!format) {
    format = make();
    dateFormats.set(key, format);
  }
  return format;
}

/** "14:05" (or "۱۴:۰۵"). */
export function formatTime(value) {
  return dateFormat("time", { hour: "numeric", minute: "2-digit" }).format(new Date(value));
}

/** The heading of a day in the timeline, in the page's calendar. */
export function formatDay(value) {
  const format = dateFormat("day", { weekday: "long", year: "numeric", month: "long", day: "numeric" });
  const date = new Date(value);
  if (!lang.startsWith("fa")) return format.format(date);
  // ICU's Solar Hijri pattern puts the weekday last, after a Latin comma
  // ("۱۴۰۵ آذر ۱۱, چهارشنبه"); Persian writes "چهارشنبه ۱۱ آذر ۱۴۰۵", in either calendar.
  const part = Object.fromEntries(format.formatToParts(date).map(({ type, value: text }) => [type, text]));
  return `${part.weekday} ${part.day} ${part.month} ${part.year}`;
}

/** Date and time for tooltips and search results. */
export function formatDateTime(value) {
  return dateFormat("datetime", { dateStyle: "medium", timeStyle: "short" }).format(new Date(value));
}

const RELATIVE_UNITS = [
  ["year", 365 * 24 * 3600], ["month", 30 * 24 * 3600], ["week", 7 * 24 * 3600],
  ["day", 24 * 3600], ["hour", 3600], ["minute", 60], ["second", 1],
];

/** "5 minutes ago" / "۵ دقیقه پیش", from now on the device's clock. */
export function formatRelative(value, now = Date.now()) {
  const seconds = Math.round((new Date(value).getTime() - now) / 1000);
  const [unit, size] = RELATIVE_UNITS.find(([, length]) => Math.abs(seconds) >= length) || RELATIVE_UNITS.at(-1);
  const format = dateFormat("relative", null, () => new Intl.RelativeTimeFormat(lang, { numeric: "auto" }));
  return format.format(Math.round(seconds / size), unit);
}

/** A key that is equal for two instants on the same local day (in the page's calendar). */
export function dayKey(value) {
  return dateFormat("daykey", { year: "numeric", month: "numeric", day: "numeric" })
    .format(new Date(value));
}

/** "1.5 MB" / "۱٫۵ مگابایت": Intl knows the unit names, so no strings of ours are needed. */
export function formatSize(bytes) {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte"];
  let value = Math.max(0, Number(bytes) || 0);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(lang, {
    style: "unit",
    unit: units[unit],
    // Persian has no short unit names of its own (ICU says "kB"): spell them out.
    unitDisplay: lang.startsWith("fa") ? "long" : "short",
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
}
