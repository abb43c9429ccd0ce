// The quick switcher and the keyboard shortcuts in real headless Chromium, English and
// Persian. Alt+↑ in an empty composer goes to the previous room and does not start
// editing (plain ↑ still does); Alt+↓ and Alt+Shift+↓ (next unread room); Ctrl+K and
// Meta+K open the switcher, fuzzy and ranked ("rev" puts "Review queue" before "Design
// reviews"), a Persian query typed with Arabic kaf and no half-space finds «کتاب‌خانه»,
// ↑/↓ move the active option, Enter opens, Escape closes with focus back; a person found
// by the user search opens a new conversation; "/" focuses the composer; "?" lists the
// shortcuts. On a phone the switcher opens from the sidebar's button.
// Usage: node switcher.mjs <base> <start room> <en token> <fa token> <screenshot dir>
import { check, launch, openRoom, PHONE } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const [base, start, enToken, faToken, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node switcher.mjs <base> <start room> <en token> <fa token> <screenshot dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const plain = (text) => (text || "").replace(/[\u2068\u2069]/g, "").trim();

async function activeRoom(page) {
  return page.evaluate(() => decodeURIComponent(location.hash.replace("#room=", "")));
}

async function sidebarOrder(page) {
  return page.evaluate(() => [...document.querySelectorAll("#room-list [data-room-id], #dm-list [data-room-id]")].map((el) => el.dataset.roomId));
}

async function roomOpened(page, id) {
  await page.waitForFunction((want) => location.hash === `#room=${want}`
    && document.querySelector(`#sidebar [data-room-id="${want}"][aria-current="page"]`), id);
}

async function focusedId(page) {
  return page.evaluate(() => document.activeElement?.id || "");
}

async function options(page) {
  return page.$$eval("#switcher-list [role=option]", (els) => els.map((el) => ({
    id: el.id, key: el.dataset.key, name: el.querySelector(".switcher-name").textContent,
    selected: el.getAttribute("aria-selected"), unread: el.classList.contains("switcher-unread"),
  })));
}

/** Types `query` into the open switcher and waits until the first option is `first`. */
async function search(page, query, first) {
  await page.fill("#switcher-input", query);
  await page.waitForFunction((name) => document.querySelector("#switcher-list [role=option] .switcher-name")?.textContent === name, first);
  return options(page);
}

async function openSwitcher(page, keys) {
  await page.keyboard.press(keys);
  await page.waitForSelector("#switcher-dialog[open]");
  check((await focusedId(page)) === "switcher-input", `${keys} puts focus in the switcher's box`);
}

const browser = await launch();
try {
  for (const [lang, token] of [["en", enToken], ["fa", faToken]]) {
    const { context, page, errors } = await openRoom(browser, { base, token, lang, room: start });
    await page.waitForFunction(() => document.querySelector("#timeline").getAttribute("aria-busy") === "false");
    await page.waitForSelector(`#timeline [data-message-id]`);
    const order = await sidebarOrder(page);
    const at = order.indexOf(start);
    check(at > 0 && at < order.length - 1, `${lang}: the start room is in the middle of the sidebar (${at} of ${order.length})`);

    // Alt+↑ in the empty composer: the previous room, not editing my last message.
    await page.focus("#composer-input");
    await page.keyboard.press("Alt+ArrowUp");
    // Whichever comes first: another room, or (as before) the editor of my last message.
    await page.waitForFunction((from) => location.hash !== `#room=${from}` || document.querySelector(".message-editor-input"), start);
    check((await page.locator(".message-editor-input").count()) === 0, `${lang}: Alt+↑ did not start editing`);
    await roomOpened(page, order[at - 1]);
    await page.keyboard.press("Alt+ArrowDown");
    await roomOpened(page, start);
    // Plain ↑ still edits the last message.
    await page.focus("#composer-input");
    await page.keyboard.press("ArrowUp");
    await page.waitForSelector(".message-editor-input");
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => !document.querySelector(".message-editor-input"));

    // With nothing typed the switcher lists the rooms, the unread one first and marked.
    await page.focus("#composer-input");
    await openSwitcher(page, "Control+k");
    await page.waitForSelector("#switcher-list .switcher-unread .badge-unread");
    const listed = await options(page);
    check(listed[0].unread && listed.filter((o) => o.unread).length === 1, `${lang}: the unread room comes first (${JSON.stringify(listed)})`);
    await page.keyboard.press("Escape");
    await page.waitForSelector("#switcher-dialog", { state: "detached" });

    // Alt+Shift+↓: the next room with unread messages, round the end of the list.
    const unreadRooms = await page.$$eval("#sidebar .room-item-unread", (els) => els.map((el) => el.dataset.roomId));
    check(unreadRooms.length === 1, `${lang}: one room is unread (${unreadRooms.length})`);
    await page.focus("#composer-input");
    await page.keyboard.press("Alt+Shift+ArrowDown");
    await roomOpened(page, unreadRooms[0]);
    await page.keyboard.press("Alt+Shift+ArrowUp"); // nothing else is unread: stays
    await roomOpened(page, unreadRooms[0]);
    await page.keyboard.press("Alt+ArrowUp");
    await roomOpened(page, order[order.indexOf(unreadRooms[0]) - 1] || unreadRooms[0]);

    // Ctrl+K: ranked fuzzy results, ↑/↓, Enter.
    await page.click(`#sidebar [data-room-id="${start}"]`);
    await roomOpened(page, start);
    await openSwitcher(page, "Control+k");
    let found = await search(page, "rev", "Review queue");
    check(found[1]?.name === "Design reviews", `${lang}: a prefix ranks above a word start (${found.map((o) => o.name)})`);
    check(found[0].selected === "true", `${lang}: the first result is active`);
    check(await page.getAttribute("#switcher-input", "aria-activedescendant") === found[0].id, `${lang}: the box points at the active option`);
    await page.keyboard.press("ArrowDown");
    found = await options(page);
    check(found[1].selected === "true" && found[0].selected === "false", `${lang}: ↓ moves the active option`);
    check(await page.getAttribute("#switcher-input", "aria-activedescendant") === found[1].id, `${lang}: aria-activedescendant follows`);
    found = await search(page, "dsgnrv", "Design reviews");
    await page.screenshot({ path: `${shots}/switcher-${lang}.png` });
    await page.keyboard.press("Enter");
    await page.waitForSelector("#switcher-dialog", { state: "detached" });
    await page.waitForFunction(() => document.querySelector("#room-name").textContent.includes("Design reviews"));
    check((await focusedId(page)) === "composer-input", `${lang}: after opening, focus is in the composer`);

    // A Persian query spelt differently: Arabic kaf, no half-space.
    await openSwitcher(page, "Meta+k");
    found = await search(page, "كتابخانه", "کتاب‌خانه");
    await page.screenshot({ path: `${shots}/switcher-persian-${lang}.png` });
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector("#room-name").textContent.includes("کتاب‌خانه"));

    // Escape closes and focus goes back to where it was.
    await page.focus("#composer-input");
    await openSwitcher(page, "Control+k");
    if (lang === "fa") {
      check(await page.evaluate(() => getComputedStyle(document.querySelector("#switcher-dialog")).direction) === "rtl", "fa: the switcher is right-to-left");
    }
    await page.keyboard.press("Escape");
    await page.waitForSelector("#switcher-dialog", { state: "detached" });
    check((await focusedId(page)) === "composer-input", `${lang}: Escape gives focus back to the composer`);

    // A person from the user search starts a conversation.
    await openSwitcher(page, "Control+k");
    found = await search(page, "sara", "Sara Ahmadi");
    check(found[0].key.startsWith("person:"), `${lang}: Sara is found as a person (${found[0].key})`);
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.querySelector("#room-name").textContent.includes("Sara Ahmadi")
      && document.querySelector("#chat").dataset.roomKind === "direct");

    // "/" focuses the composer (and types nothing); "?" lists the shortcuts.
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press("/");
    await page.waitForFunction(() => document.activeElement?.id === "composer-input");
    check((await page.inputValue("#composer-input")) === "", `${lang}: "/" typed nothing`);
    await page.evaluate(() => document.activeElement?.blur());
    await page.keyboard.press("Shift+Slash");
    await page.waitForSelector("#shortcuts-dialog[open]");
    const rows = await page.$$eval("#shortcuts-dialog .shortcut-row", (els) => els.map((el) => el.dataset.shortcut));
    for (const id of ["chat-shortcut-switcher", "chat-shortcut-rooms", "chat-shortcut-unread-rooms", "chat-shortcut-composer",
      "chat-shortcut-help", "chat-shortcut-send", "chat-shortcut-newline", "chat-shortcut-edit-last", "chat-shortcut-escape", "chat-shortcut-half-space",
      "chat-shortcut-format", "chat-shortcut-link"]) {
      check(rows.includes(id), `${lang}: the shortcut list has ${id}`);
    }
    const title = plain(await page.textContent("#shortcuts-dialog-title"));
    check(title === (lang === "fa" ? "میان‌برهای صفحه‌کلید" : "Keyboard shortcuts"), `${lang}: the list is titled "${title}"`);
    check(!(await page.textContent("#shortcuts-dialog")).includes("chat-"), `${lang}: every shortcut is translated`);
    await page.screenshot({ path: `${shots}/shortcuts-${lang}.png` });
    await page.keyboard.press("Escape");
    await page.waitForSelector("#shortcuts-dialog", { state: "detached" });
    // Typing "?" in the composer is just text.
    await page.focus("#composer-input");
    await page.keyboard.type("?");
    check((await page.inputValue("#composer-input")) === "?" && !(await page.$("#shortcuts-dialog")), `${lang}: "?" in the composer is text`);
    await page.fill("#composer-input", "");
    check(errors.length === 0, `${lang}: no script errors: ${errors.join("; ")}`);
    await context.close();

    // A phone: the switcher from the sidebar's button, chosen by touch.
    const phone = await openRoom(browser, { base, token, lang, room: start, viewport: PHONE, hasTouch: true, isMobile: true });
    await phone.page.tap("#sidebar-toggle");
    await phone.page.waitForFunction(() => document.querySelector("#chat").dataset.sidebar === "open");
    await phone.page.tap("#switcher-button");
    await phone.page.waitForSelector("#switcher-dialog[open]");
    await search(phone.page, "کتابخانه", "کتاب‌خانه");
    await phone.page.screenshot({ path: `${shots}/switcher-${lang}-mobile.png` });
    await phone.page.tap("#switcher-list [role=option]");
    await phone.page.waitForFunction(() => document.querySelector("#room-name").textContent.includes("کتاب‌خانه"));
    check(phone.errors.length === 0, `${lang} phone: no script errors: ${phone.errors.join("; ")}`);
    await phone.context.close();
  }
  console.log("browser: switcher ok");
} finally {
  await browser.close();
}
