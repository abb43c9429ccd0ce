// A scheduled message the server could not send, in the author's inbox, in real headless
// Chromium, English and Persian: the badge counts it, the panel lists it with its kind and
// the sentence "Your scheduled message to <room> was not sent: you are muted" (in the
// page's language) and the text that waited; opening it goes to the room and reads it.
// Usage: node scheduled-inbox.mjs <base> <room> <room name> <shots> (<lang> <token> <body>)...
import { check, launch, openRoom } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const [base, room, roomName, shots, ...readers] = process.argv.slice(2);
if (!shots || readers.length % 3 !== 0 || readers.length === 0) {
  console.error("usage: node scheduled-inbox.mjs <base> <room> <room name> <shots> (<lang> <token> <body>)...");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const plain = (text) => (text || "").replace(/[\u2068\u2069\u200e\u200f]/g, "").replace(/\s+/g, " ").trim();
const EXPECTED = {
  en: { kind: "Scheduled message not sent", text: `Your scheduled message to ${roomName} was not sent: you are muted` },
  fa: { kind: "پیام زمان‌بندی‌شده فرستاده نشد", text: `پیام زمان‌بندی‌شدهٔ شما به ${roomName} فرستاده نشد: شما بی‌صدا شده‌اید` },
};

const browser = await launch();
try {
  for (let i = 0; i < readers.length; i += 3) {
    const [lang, token, body] = readers.slice(i, i + 3);
    const want = EXPECTED[lang];
    const { context, page, errors } = await openRoom(browser, { base, token, lang, room });
    await page.waitForFunction(() => !document.querySelector("#inbox-badge").hidden);
    await page.click("#inbox-button");
    const selector = '#inbox-list .inbox-item[data-kind="scheduled_failed"]';
    await page.waitForSelector(selector);
    const shown = await page.$eval(selector, (el) => ({
      unread: el.classList.contains("inbox-unread"),
      kind: el.querySelector(".inbox-kind").textContent,
      reason: el.querySelector(".inbox-scheduled-failed").textContent,
      texts: [...el.querySelectorAll(".inbox-text")].map((t) => t.textContent),
      room: el.querySelector(".inbox-room").textContent,
    }));
    check(shown.unread, `${lang}: it is unread`);
    check(plain(shown.kind) === want.kind, `${lang}: the kind is named ("${shown.kind}")`);
    check(plain(shown.reason) === want.text, `${lang}: the room and the reason ("${plain(shown.reason)}")`);
    check(shown.texts.some((t) => plain(t) === body), `${lang}: the text that waited shows (${JSON.stringify(shown.texts)})`);
    check(plain(shown.room) === roomName, `${lang}: the room is named ("${shown.room}")`);
    const dir = await page.evaluate(() => document.documentElement.dir);
    check(dir === (lang === "fa" ? "rtl" : "ltr"), `${lang}: the page reads ${dir}`);
    await page.screenshot({ path: `${shots}/scheduled-inbox-${lang}.png` });

    // Opening it goes to the room and reads it.
    await page.click(`${selector} .inbox-open`);
    await page.waitForSelector("#inbox", { state: "hidden" });
    await page.waitForFunction(() => document.querySelector("#inbox-badge").hidden);
    check(await page.evaluate(() => document.querySelector("#chat").dataset.view) === "room", `${lang}: the room is open`);
    check(errors.length === 0, `${lang}: no script errors: ${errors.join("; ")}`);
    await context.close();
  }
  console.log("browser: scheduled inbox ok");
} finally {
  await browser.close();
}
