// Suggestions while typing in the composer, for any kind of token: `:smi` offers emoji
// (emoji-autocomplete.js), and other triggers are one `registerProvider` away. The word
// being typed before the caret is looked at after every input; when it starts with a
// provider's trigger (at the start of the text or after a space) and has at least
// `minChars` more characters, a list of the provider's suggestions opens above the box.
// ↑/↓ move through it, Enter or Tab puts the active one in place of the token, Escape
// closes it (and only it: the composer's own Escape is for the reply).
//
// A provider, for example mentions of room members:
//
//   registerProvider({
//     trigger: "@",
//     minChars: 1,
//     search: async (query) => membersMatching(query).slice(0, 8),   // items, best first
//     key: (user) => user.id,                                          // unique per item
//     render: (user) => [h("span", {}, user.display_name), h("span", {}, `@${user.username}`)],
//     insert: (user) => `@${user.username} `,                          // replaces "@que"
//     label: "chat-autocomplete-suggestions",                         // Fluent id naming the list
//   });
//
// `render` returns what goes inside the option (nodes or text); `search` may be async
// (a late answer for a query no longer typed is dropped); an optional `chosen(item)` runs
// after an item went in (the emoji provider remembers it as recently used).
//
// ARIA: the combobox pattern as far as a textarea may take it. ARIA in HTML allows a
// textarea no role but textbox, and a textbox may not carry `aria-expanded` (axe flags
// it), so the box has `aria-autocomplete="list"`, `aria-controls` naming the listbox and
// `aria-activedescendant` the active option; whether the list is open is the listbox's
// `hidden`, and a status line announces how many suggestions there are.

import { h } from "./dom.js";
import { t } from "./i18n.js";

const providers = [];

/** Adds a source of suggestions (see the header). Triggers are single characters. */
export function registerProvider(provider) {
  providers.push({ minChars: 1, label: "chat-autocomplete-suggestions", ...provider });
}

let input;
let list;
let status;
let state = null; // { provider, start, items, active, query }
let asked = 0;

/** The token before the caret that some provider answers for, or null. */
function tokenAtCaret() {
  const caret = input.selectionStart;
  if (caret !== input.selectionEnd) return null;
  const before = input.value.slice(0, caret);
  const match = /(^|\s)(\S+)$/u.exec(before);
  if (!match) return null;
  const token = match[2];
  const provider = providers.find((p) => token.startsWith(p.trigger));
  if (!provider) return null;
  const query = token.slice(provider.trigger.length);
  // `:smile:` is finished, not still being typed; nor is a URL's `http://x`.
  if ([...query].length < provider.minChars || query.includes(provider.trigger)) return null;
  return { provider, query, start: caret - token.length };
}

function optionId(index) {
  return `autocomplete-option-${index}`;
}

function closeList() {
  state = null;
  list.hidden = true;
  list.replaceChildren();
  status.textContent = "";
  input.removeAttribute("aria-activedescendant");
}

function setActive(index) {
  state.active = index;
  list.querySelectorAll("[role=option]").forEach((option, at) => option.setAttribute("aria-selected", String(at === index)));
  input.setAttribute("aria-activedescendant", optionId(index));
  list.querySelector(`#${optionId(index)}`)?.scrollIntoView({ block: "nearest" });
}

function show(provider, start, query, items) {
  if (!items.length) return closeList();
  state = { provider, start, query, items, active: 0 };
  list.setAttribute("aria-label", t(provider.label));
  list.replaceChildren(...items.map((item, index) => h("li", {
    id: optionId(index), role: "option", class: "autocomplete-option", "aria-selected": "false", dataset: { index },
  }, provider.render(item))));
  list.hidden = false;
  status.textContent = t("chat-autocomplete-count", { count: items.length });
  setActive(0);
}

async function update() {
  const token = tokenAtCaret();
  if (!token) return closeList();
  const ask = ++asked;
  let items = [];
  try {
    items = await token.provider.search(token.query);
  } catch {
    items = []; // suggestions are a help; typing goes on without them
  }
  if (ask !== asked) return; // typed on meanwhile
  show(token.provider, token.start, token.query, items || []);
}

function choose(index) {
  const { provider, start, items } = state;
  const item = items[index];
  const caret = input.selectionStart;
  closeList();
  input.focus();
  input.setRangeText(provider.insert(item), start, caret, "end");
  input.dispatchEvent(new Event("input", { bubbles: true }));
  provider.chosen?.(item);
}

function onKeydown(event) {
  if (!state || event.isComposing) return;
  const count = state.items.length;
  const move = { ArrowDown: 1, ArrowUp: -1 }[event.key];
  if (move) {
    setActive((state.active + move + count) % count);
  } else if ((event.key === "Enter" && !event.shiftKey) || event.key === "Tab") {
    choose(state.active);
  } else if (event.key === "Escape") {
    asked += 1;
    closeList();
  } else {
    return;
  }
  // Before the composer's own keys (Enter sends, Escape drops the reply): registered in
  // the capture phase, so this runs first.
  event.preventDefault();
  event.stopImmediatePropagation();
}

/** Watches `field` (the composer's textarea); the list is put right after it. */
export function initAutocomplete(field) {
  input = field;
  list = h("ul", { id: "autocomplete-list", class: "autocomplete-list", role: "listbox", "aria-label": t("chat-autocomplete-suggestions"), hidden: true });
  status = h("p", { class: "visually-hidden", role: "status" });
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.after(list, status);
  input.addEventListener("keydown", onKeydown, true);
  input.addEventListener("input", update);
  input.addEventListener("blur", () => {
    asked += 1;
    closeList();
  });
  // A pointer press would blur the box first and close the list under the finger.
  list.addEventListener("pointerdown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option && state) choose(Number(option.dataset.index));
  });
}
