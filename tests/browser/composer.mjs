// Writing Persian in the composer, in real headless Chromium: Shift+Space after a Persian
// letter types the half-space (U+200C), in the composer and in the inline editor; after
// Latin text it stays a space; the half-space button is there on Persian pages (and on
// English ones once the draft has Persian) and inserts it at the caret.
// Usage: node composer.mjs <base url> <room id> <en token> <fa token> <screenshot dir>
import { check, launch, openRoom } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const [base, room, enToken, faToken, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node composer.mjs <base url> <room id> <en token> <fa token> <screenshot dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const HALF = "\u200c";

const show = (text) => JSON.stringify(text).replace(/\u200c/g, "<ZWNJ>");

const browser = await launch();
try {
  for (const [lang, token] of [["fa", faToken], ["en", enToken]]) {
    const { context, page } = await openRoom(browser, { base, token, lang, room });
    const input = page.locator("#composer-input");

    // Shift+Space after a Persian letter: the half-space; after Latin: a space.
    await input.focus();
    await page.keyboard.type("می");
    await page.keyboard.press("Shift+Space");
    await page.keyboard.type("خواهم");
    check((await input.inputValue()) === `می${HALF}خواهم`, `${lang}: Shift+Space types a half-space (${show(await input.inputValue())})`);
    await input.fill("");
    await page.keyboard.type("Hello");
    await page.keyboard.press("Shift+Space");
    await page.keyboard.type("World");
    check((await input.inputValue()) === "Hello World", `${lang}: after Latin, Shift+Space is a space (${show(await input.inputValue())})`);
    await input.fill("");

    // The button: on Persian pages from the start, on English ones once Persian is typed.
    const button = page.locator("#half-space-button");
    check((await button.isVisible()) === (lang === "fa"), `${lang}: the half-space button ${lang === "fa" ? "shows" : "waits for Persian"}`);
    await input.focus();
    await page.keyboard.type("نیم");
    await button.waitFor({ state: "visible" });
    await button.click();
    await page.keyboard.type("فاصله");
    check((await input.inputValue()) === `نیم${HALF}فاصله`, `${lang}: the button inserts a half-space at the caret (${show(await input.inputValue())})`);
    await page.screenshot({ path: `${shots}/composer-half-space-${lang}.png` });

    // Sent as typed, and the inline editor knows the key too.
    // The second pass sees the first pass's message already stored, so waiting for that text
    // proves nothing: wait for one more of it, and for the composer to empty (it does so
    // only once the server has acknowledged the send); ArrowUp edits only from an empty one.
    const storedHalfSpaces = () => [...document.querySelectorAll("#timeline [data-message-id]")]
      .filter((el) => /^\d+$/.test(el.dataset.seq || "") && el.querySelector(".message-body")?.textContent.includes("نیم\u200cفاصله"))
      .length;
    const before = await page.evaluate(storedHalfSpaces);
    await page.keyboard.press("Enter");
    await page.waitForFunction((count) => document.querySelector("#composer-input").value === ""
      && [...document.querySelectorAll("#timeline [data-message-id]")]
        .filter((el) => /^\d+$/.test(el.dataset.seq || "") && el.querySelector(".message-body")?.textContent.includes("نیم\u200cفاصله"))
        .length > count, before);
    await page.waitForFunction(() => [...document.querySelectorAll("#timeline [data-message-id]")].every((el) => /^\d+$/.test(el.dataset.seq || "")));
    await input.focus();
    await page.keyboard.press("ArrowUp");
    const editor = page.locator(".message-editor-input");
    await editor.waitFor();
    await editor.fill("");
    await page.keyboard.type("کتاب");
    await page.keyboard.press("Shift+Space");
    await page.keyboard.type("ها");
    check((await editor.inputValue()) === `کتاب${HALF}ها`, `${lang}: the editor types a half-space too (${show(await editor.inputValue())})`);
    await editor.press("Escape");
    await context.close();
  }
  console.log("browser: composer ok");
} finally {
  await browser.close();
}
