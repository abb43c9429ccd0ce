// The emoji picker and the composer's `:shortcode:` suggestions in real headless Chromium,
// English and Persian (issue 20). The first screen does not fetch the emoji data; the
// quick reactions' "More emoji" opens the picker with focus in its search box; "thumbs"
// (and, in Persian, «شست» and «پسنديدن» typed with an Arabic yeh) finds 👍 («ایران» 🇮🇷), picked with the
// keyboard it becomes a reaction and focus goes back to the message's button; ← and → move
// through the grid mirrored in right-to-left pages; a skin tone applies and is remembered;
// "Recently used" leads with what was picked; Escape closes; the composer's button inserts
// at the caret; `:smi` opens the suggestions, ↓ moves, Enter puts 😄 in (and sends
// nothing), Escape closes them; `:شست` suggests 👍 in the chosen tone. On a phone the
// picker fits the screen. The server has no custom emoji: no "Custom" tab, no error.
// axe-core finds nothing in the open picker and the open suggestions (light in English,
// dark in Persian); tests/browser/axe.mjs covers both in every theme too.
// Usage: node emoji.mjs <base> <room> <en token> <fa token> <screenshot dir>
import { check, launch, openRoom, PHONE } from "./lib.mjs";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";

const [base, room, enToken, faToken, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node emoji.mjs <base> <room> <en token> <fa token> <screenshot dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const MESSAGE = "Tea is ready";
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's findings (WCAG A/AA and best practices) inside `selector`, as "rule: node" lines. */
async function axeFindings(page, selector) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async (within) => {
    const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
    const result = await window.axe.run(document.querySelector(within), { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}`));
  }, selector);
}

function message(page) {
  return page.locator("#timeline [data-message-id]", { has: page.locator(".message-body", { hasText: MESSAGE }) }).first();
}

/** The picker's files this page has fetched so far (Resource Timing lists every one). */
async function emojiFilesFetched(page) {
  return page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name).filter((name) => /\/emoji-(data|picker)\./.test(name)));
}

async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return { id: el?.id || "", action: el?.dataset.action || "", emoji: el?.dataset.emoji || "" };
  });
}

async function gridEmoji(page) {
  return page.$$eval("#emoji-grid [role=option]", (els) => els.map((el) => el.dataset.emoji));
}

/** Opens the full picker from a message's reaction button. */
async function openFromMessage(page) {
  const item = message(page);
  await item.hover();
  await item.locator('[data-action="react"]').click();
  await page.click(".reaction-picker .reaction-more");
  await page.waitForSelector("#emoji-picker[open]");
  check((await focused(page)).id === "emoji-search", "the picker opens with focus in its search box");
}

/** Types `query` into the picker's search and waits until the first result is `first`. */
async function search(page, query, first) {
  await page.fill("#emoji-search", query);
  await page.waitForFunction((want) => document.querySelector("#emoji-grid [role=option]")?.dataset.emoji === want, first);
}

async function reactionShown(page, emoji) {
  await message(page).locator(`.reaction[data-emoji="${emoji}"][aria-pressed="true"]`).waitFor();
}

async function closed(page) {
  await page.waitForSelector("#emoji-picker", { state: "detached" });
}

const browser = await launch();
try {
  for (const [lang, token] of [["en", enToken], ["fa", faToken]]) {
    // Without the page's CSP only so axe-core can be injected (the product's stays strict).
    const { context, page, errors } = await openRoom(browser, { base, token, lang, room, bypassCSP: true });
    // The Persian pass in the dark theme (as the account setting would set it), for axe's contrast checks.
    if (lang === "fa") await page.evaluate(() => { document.documentElement.dataset.theme = "dark"; });
    await message(page).waitFor();
    await page.waitForFunction(() => document.querySelector("#timeline").getAttribute("aria-busy") === "false");
    check((await emojiFilesFetched(page)).length === 0, `${lang}: the first screen fetches no emoji data (${await emojiFilesFetched(page)})`);

    // Search in English, pick with the keyboard: a reaction, and focus back on the button.
    await openFromMessage(page);
    check((await emojiFilesFetched(page)).some((name) => name.includes("/emoji-data.")), `${lang}: the data arrives when the picker opens`);
    check((await page.locator("#emoji-tab-custom").count()) === 0, `${lang}: no custom emoji, no "Custom" tab`);
    const name = await page.getAttribute("#emoji-picker", "aria-label");
    check(name === (lang === "fa" ? "شکلک‌ها" : "Emoji"), `${lang}: the dialog is named (${name})`);
    await search(page, "thumbs", "👍");
    await page.screenshot({ path: `${shots}/emoji-search-${lang}.png` });
    const pickerFindings = await axeFindings(page, "#emoji-picker");
    check(pickerFindings.length === 0, `${lang}: axe finds nothing in the picker: ${pickerFindings.join("; ")}`);
    await page.keyboard.press("ArrowDown");
    check((await focused(page)).emoji === "👍", `${lang}: ↓ from the search box enters the grid`);
    check(await page.getAttribute("#emoji-grid [role=option]", "aria-selected") === "true", `${lang}: the focused emoji is selected`);
    await page.keyboard.press("Enter");
    await closed(page);
    await reactionShown(page, "👍");
    check((await focused(page)).action === "react", `${lang}: focus is back on the message's reaction button`);

    // Persian names and keywords, spellings folded; arrows mirrored; Escape changes nothing.
    await openFromMessage(page);
    if (lang === "fa") {
      check(await page.evaluate(() => getComputedStyle(document.querySelector("#emoji-picker")).direction) === "rtl", "fa: the picker is right-to-left");
    }
    await search(page, "شست", "👍");
    await search(page, "ایران", "🇮🇷"); // a name CLDR derives by rule
    await search(page, "پسنديدن", "👍"); // Arabic yeh
    const results = await gridEmoji(page);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press(lang === "fa" ? "ArrowLeft" : "ArrowRight");
    check((await focused(page)).emoji === results[1], `${lang}: the arrow toward the line's end moves to the next emoji`);
    await page.keyboard.press("Escape");
    await closed(page);
    check((await focused(page)).action === "react", `${lang}: Escape gives focus back`);
    check((await message(page).locator(".reaction[aria-pressed=true]").count()) === 1, `${lang}: Escape reacted with nothing`);

    // A skin tone applies to the results and the choice, and is remembered.
    await openFromMessage(page);
    await page.selectOption("#emoji-tone", "3");
    await search(page, "thumbs", "👍🏽");
    await page.keyboard.press("Enter"); // in the search box: the first result
    await closed(page);
    await reactionShown(page, "👍🏽");
    await openFromMessage(page);
    check(await page.inputValue("#emoji-tone") === "3", `${lang}: the skin tone is remembered`);
    check(await page.getAttribute("#emoji-tab-recent", "aria-selected") === "true", `${lang}: the picker opens on "Recently used"`);
    const recent = await gridEmoji(page);
    check(recent[0] === "👍🏽" && recent[1] === "👍", `${lang}: recently used, newest first (${recent})`);
    await page.screenshot({ path: `${shots}/emoji-recent-${lang}.png` });
    // Tabs: → (or ← in Persian) goes to the next category.
    await page.focus("#emoji-tab-recent");
    await page.keyboard.press(lang === "fa" ? "ArrowLeft" : "ArrowRight");
    check(await page.getAttribute("#emoji-tab-smileys-emotion", "aria-selected") === "true", `${lang}: the arrow keys change category`);
    check((await gridEmoji(page))[0] === "😀", `${lang}: the smileys come first in their category`);
    await page.keyboard.press("Escape");
    await closed(page);

    // The composer's button: the choice goes in at the caret, focus back in the box.
    await page.fill("#composer-input", "Tea ");
    await page.click("#emoji-button");
    await page.waitForSelector("#emoji-picker[open]");
    await search(page, "red heart", "❤️");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await closed(page);
    check(await page.inputValue("#composer-input") === "Tea ❤️", `${lang}: the picked emoji is in the composer (${await page.inputValue("#composer-input")})`);
    check((await focused(page)).id === "composer-input", `${lang}: focus is back in the composer`);

    // `:smi` suggests; ↓ moves the active option; `:smile` puts 😄 first; Enter inserts it.
    await page.fill("#composer-input", "");
    await page.keyboard.type("Hi :smi");
    await page.waitForSelector("#autocomplete-list:not([hidden]) [role=option]");
    const first = await page.getAttribute("#composer-input", "aria-activedescendant");
    check(first === "autocomplete-option-0", `${lang}: the first suggestion is active (${first})`);
    await page.keyboard.press("ArrowDown");
    check(await page.getAttribute("#composer-input", "aria-activedescendant") === "autocomplete-option-1", `${lang}: ↓ moves the active suggestion`);
    await page.keyboard.type("le");
    await page.waitForFunction(() => document.querySelector("#autocomplete-option-0 .autocomplete-emoji")?.textContent === "😄");
    await page.screenshot({ path: `${shots}/emoji-autocomplete-${lang}.png` });
    const listFindings = await axeFindings(page, "#composer");
    check(listFindings.length === 0, `${lang}: axe finds nothing in the composer and its suggestions: ${listFindings.join("; ")}`);
    await page.keyboard.press("Enter");
    check(await page.inputValue("#composer-input") === "Hi 😄", `${lang}: Enter put the emoji in, sending nothing (${await page.inputValue("#composer-input")})`);
    check(await page.isHidden("#autocomplete-list"), `${lang}: the suggestions closed`);
    check(!(await page.getAttribute("#composer-input", "aria-activedescendant")), `${lang}: no active suggestion left`);
    // Escape closes the suggestions and keeps the text.
    await page.keyboard.type(" :tea");
    await page.waitForSelector("#autocomplete-list:not([hidden])");
    await page.keyboard.press("Escape");
    check(await page.isHidden("#autocomplete-list") && await page.inputValue("#composer-input") === "Hi 😄 :tea", `${lang}: Escape closes the suggestions only`);
    // Persian, in the remembered tone.
    await page.fill("#composer-input", "");
    await page.keyboard.type(":شست");
    await page.waitForFunction(() => document.querySelector("#autocomplete-option-0 .autocomplete-emoji")?.textContent === "👍🏽");
    await page.keyboard.press("Tab");
    check(await page.inputValue("#composer-input") === "👍🏽", `${lang}: Tab put the toned 👍 in (${await page.inputValue("#composer-input")})`);
    await page.fill("#composer-input", "");
    check(errors.length === 0, `${lang}: no script errors: ${errors.join("; ")}`);
    await context.close();

    // A phone: the quick reactions and the picker fit the screen; the picker picks by touch.
    const phone = await openRoom(browser, { base, token, lang, room, viewport: PHONE, hasTouch: true, isMobile: true });
    const item = message(phone.page);
    await item.locator(".message-body").tap();
    await item.evaluate((el) => el.focus()); // a tap may not focus it; focus keeps the toolbar shown
    await item.locator('[data-action="react"]').tap();
    const quick = await phone.page.locator(".reaction-picker").boundingBox();
    check(quick.x >= 0 && quick.x + quick.width <= PHONE.width, `${lang} phone: the quick reactions fit the screen (${JSON.stringify(quick)})`);
    await phone.page.screenshot({ path: `${shots}/emoji-quick-${lang}-mobile.png` });
    await phone.page.keyboard.press("Escape");
    await phone.page.waitForSelector(".reaction-picker", { state: "detached" });
    await phone.page.tap("#emoji-button");
    await phone.page.waitForSelector("#emoji-picker[open]");
    const box = await phone.page.locator("#emoji-picker").boundingBox();
    check(box.x >= 0 && box.y >= 0 && box.x + box.width <= PHONE.width && box.y + box.height <= PHONE.height, `${lang} phone: the picker fits the screen (${JSON.stringify(box)})`);
    await phone.page.screenshot({ path: `${shots}/emoji-picker-${lang}-mobile.png` });
    const small = await phone.page.$$eval("#emoji-picker :is(button, input, select)", (els) => els
      .map((el) => [el.id || el.dataset.emoji, el.getBoundingClientRect()])
      .filter(([, box]) => box.width < 43.5 || box.height < 43.5)
      .map(([name, box]) => `${name} ${box.width}×${box.height}`));
    check(small.length === 0, `${lang} phone: every target in the picker is 44 px or more (${small.join(", ")})`);
    await phone.page.tap('#emoji-grid [role=option][data-emoji="😀"]');
    await phone.page.waitForSelector("#emoji-picker", { state: "detached" });
    check(await phone.page.inputValue("#composer-input") === "😀", `${lang} phone: the tapped emoji is in the composer`);
    check(phone.errors.length === 0, `${lang} phone: no script errors: ${phone.errors.join("; ")}`);
    await phone.context.close();
  }
  console.log("browser: emoji ok");
} finally {
  await browser.close();
}
