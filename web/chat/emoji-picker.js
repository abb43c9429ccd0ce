// The emoji picker (issue 20), for reactions and for the composer: a modal dialog with a
// search box (English and Persian names and keywords, spellings folded), the skin tone
// (remembered), a tab per category ("Recently used" and the server's custom emoji first)
// and a grid of emoji. Keys: ↓ from the search box enters the grid; the arrows move in it
// (← and → mirrored in right-to-left pages), Home/End, Enter or Space picks; Enter in the
// search box picks the first result; Escape closes, and focus goes back to the opener.
// Loaded with `import()` when first opened, as is the data it shows.

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { loadEmoji, recentItems, rememberEmoji, searchEmoji, setSkinTone, skinTone, toned } from "./emoji.js";

/** Each tab: its Fluent label and the emoji that stands for it. */
const TABS = {
  recent: ["chat-emoji-group-recent", "🕘"],
  custom: ["chat-emoji-group-custom", "⭐"],
  "smileys-emotion": ["chat-emoji-group-smileys", "😀"],
  "people-body": ["chat-emoji-group-people", "👋"],
  "animals-nature": ["chat-emoji-group-nature", "🐻"],
  "food-drink": ["chat-emoji-group-food", "🍔"],
  "travel-places": ["chat-emoji-group-travel", "🚗"],
  activities: ["chat-emoji-group-activities", "⚽"],
  objects: ["chat-emoji-group-objects", "💡"],
  symbols: ["chat-emoji-group-symbols", "🔣"],
  flags: ["chat-emoji-group-flags", "🏁"],
};
const TONES = ["chat-emoji-tone-none", "chat-emoji-tone-1", "chat-emoji-tone-2", "chat-emoji-tone-3", "chat-emoji-tone-4", "chat-emoji-tone-5"];
const TONE_SAMPLE = ["✋", "✋🏻", "✋🏼", "✋🏽", "✋🏾", "✋🏿"];

let current = null;

/** One emoji of the grid: a button with the role of an option, named by the emoji's name. */
function optionNode(item, tone) {
  const emoji = item.group === "custom" ? item.emoji : toned(item, tone);
  return h("button", {
    type: "button", role: "option", tabindex: "-1", class: "emoji-option", "aria-selected": "false",
    "aria-label": item.group === "custom" ? item.emoji : item.name, title: `${item.name} :${item.shortcode}:`, dataset: { emoji },
  }, item.url ? h("img", { src: item.url, alt: "", class: "emoji-custom", loading: "lazy" }) : emoji);
}

/** How many emoji one row of the grid holds, from the grid's own layout. */
function columns(grid) {
  return getComputedStyle(grid).gridTemplateColumns.split(" ").filter(Boolean).length || 1;
}

function close(picked = null) {
  if (!current) return;
  const { dialog, returnFocus, onPick } = current;
  current = null;
  dialog.close();
  dialog.remove();
  if (picked) rememberEmoji(picked);
  if (returnFocus?.isConnected) returnFocus.focus();
  if (picked) onPick(picked);
}

/**
 * Opens the picker; `onPick(emoji)` gets the character (toned), or `:name:` for a custom
 * emoji. Focus goes back to `returnFocus` when it closes, picked or not.
 */
export async function openEmojiPicker({ returnFocus, onPick }) {
  const { groups, all } = await loadEmoji();
  // After the wait: of two quick clicks, the second's picker replaces the first's.
  close();
  const recent = () => recentItems(all);
  const tabs = [...(recent().length ? ["recent"] : []), ...groups].filter((key) => TABS[key]);
  let tab = tabs[0];
  let tone = skinTone();

  const search = h("input", {
    type: "search", id: "emoji-search", class: "emoji-search", dir: "auto", autocomplete: "off",
    "aria-label": t("chat-emoji-search"), placeholder: t("chat-emoji-search"), "aria-controls": "emoji-grid",
  });
  const toneSelect = h("select", { id: "emoji-tone", class: "emoji-tone", "aria-label": t("chat-emoji-tone") },
    TONES.map((id, index) => h("option", { value: String(index), selected: index === tone }, `${TONE_SAMPLE[index]} ${t(id)}`)));
  const tabButtons = tabs.map((key) => h("button", {
    type: "button", role: "tab", id: `emoji-tab-${key}`, class: "emoji-tab", "aria-controls": "emoji-panel",
    "aria-label": t(TABS[key][0]), title: t(TABS[key][0]), tabindex: "-1", dataset: { tab: key },
  }, TABS[key][1]));
  const heading = h("p", { id: "emoji-grid-label", class: "emoji-grid-label" });
  const grid = h("div", { id: "emoji-grid", class: "emoji-grid", role: "listbox", "aria-labelledby": "emoji-grid-label" });
  const empty = h("p", { class: "emoji-empty", hidden: true }, t("chat-emoji-none"));
  const dialog = h("dialog", { id: "emoji-picker", class: "dialog emoji-picker", "aria-label": t("chat-emoji-picker") },
    h("div", { class: "emoji-picker-head" }, search, toneSelect),
    h("div", { class: "emoji-tabs", role: "tablist", "aria-label": t("chat-emoji-groups") }, tabButtons),
    h("div", { id: "emoji-panel", class: "emoji-panel", role: "tabpanel", "aria-labelledby": "emoji-grid-label" }, heading, grid, empty));

  const options = () => [...grid.querySelectorAll("[role=option]")];
  function activate(option) {
    for (const other of options()) {
      other.tabIndex = other === option ? 0 : -1;
      other.setAttribute("aria-selected", String(other === option));
    }
  }
  function show() {
    const query = search.value.trim();
    let items;
    if (query) {
      items = searchEmoji(all, query, 120);
      heading.textContent = t("chat-emoji-results");
    } else {
      items = tab === "recent" ? recent() : all.filter((item) => item.group === tab);
      heading.textContent = t(TABS[tab][0]);
    }
    for (const button of tabButtons) {
      const selected = !query && button.dataset.tab === tab;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = button.dataset.tab === tab ? 0 : -1;
    }
    grid.replaceChildren(...items.map((item) => optionNode(item, tone)));
    grid.scrollTop = 0;
    empty.hidden = items.length > 0;
    activate(options()[0]);
  }

  search.addEventListener("input", show);
  search.addEventListener("keydown", (event) => {
    const first = options()[0];
    if (event.key === "ArrowDown" && first) {
      event.preventDefault();
      first.focus();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (first) close(first.dataset.emoji);
    }
  });
  toneSelect.addEventListener("change", () => {
    tone = Number(toneSelect.value);
    setSkinTone(tone);
    show();
  });
  dialog.querySelector("[role=tablist]").addEventListener("click", (event) => {
    const button = event.target.closest("[data-tab]");
    if (!button) return;
    tab = button.dataset.tab;
    search.value = "";
    show();
  });
  dialog.querySelector("[role=tablist]").addEventListener("keydown", (event) => {
    const rtl = getComputedStyle(dialog).direction === "rtl";
    const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1 }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    const at = tabs.indexOf(tab);
    tab = tabs[(at + step + tabs.length) % tabs.length];
    search.value = "";
    show();
    tabButtons[tabs.indexOf(tab)].focus();
  });
  grid.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) close(option.dataset.emoji);
  });
  grid.addEventListener("focusin", (event) => {
    if (event.target.matches("[role=option]")) activate(event.target);
  });
  grid.addEventListener("keydown", (event) => {
    const list = options();
    const at = list.indexOf(document.activeElement);
    if (at < 0) return;
    const rtl = getComputedStyle(grid).direction === "rtl";
    const row = columns(grid);
    const step = {
      ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1, ArrowDown: row, ArrowUp: -row, Home: -at, End: list.length - 1 - at,
    }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    const next = at + step;
    if (next < 0 && event.key === "ArrowUp") search.focus();
    else list[Math.max(0, Math.min(list.length - 1, next))].focus();
  });
  dialog.addEventListener("keydown", (event) => {
    // Here rather than the dialog's own "cancel": Escape in a search box would clear it first.
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    close();
  });
  // A click on the backdrop (outside the dialog's box) closes it, as a popover would.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) close();
  });

  document.body.append(dialog);
  current = { dialog, returnFocus, onPick };
  show();
  dialog.showModal();
  search.focus();
  return dialog;
}
