// Pictures and long messages in real headless Chromium: a click on a picture opens it in an
// in-page viewer (arrow keys between the room's pictures, a download link, Escape closes
// and focus returns), not the raw file in a new tab; a PDF card beside a picture keeps its
// own height; a 2,000-character message is folded with "Show more". English and Persian.
// Usage: node viewer.mjs <base url> <room id> <en token> <fa token> <screenshot dir>
import { check, launch, openRoom } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const [base, room, enToken, faToken, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node viewer.mjs <base url> <room id> <en token> <fa token> <screenshot dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const WORDS = {
  en: { position: /^1 of 2$/, more: "Show more", less: "Show less", forward: "ArrowRight" },
  fa: { position: /^۱ از ۲$/, more: "بیشتر", less: "کمتر", forward: "ArrowLeft" },
};
const bare = (text) => (text || "").replace(/[\u2068\u2069]/g, "").trim();

const browser = await launch();
try {
  for (const [lang, token] of [["en", enToken], ["fa", faToken]]) {
    const words = WORDS[lang];
    const { context, page, errors } = await openRoom(browser, { base, token, lang, room });
    const thumbs = page.locator("#timeline .attachment-image");
    await thumbs.nth(1).locator("img").waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll("#timeline .attachment-image img")].every((img) => img.complete));
    const absolute = (url) => new URL(url, base).href;
    const [first, second] = [absolute(await thumbs.nth(0).getAttribute("href")), absolute(await thumbs.nth(1).getAttribute("href"))];

    // The PDF card keeps its own height beside the tall picture.
    const card = await page.locator("#timeline .attachment-file").first().boundingBox();
    const picture = await thumbs.nth(0).boundingBox();
    check(card.height < picture.height / 2, `${lang}: the file card is not stretched (${card.height}px beside ${picture.height}px)`);

    // The viewer.
    await thumbs.nth(0).click();
    const viewer = page.locator("#image-viewer");
    await viewer.waitFor();
    check(page.url().startsWith(base), `${lang}: the page stays (${page.url()})`);
    const shown = async () => absolute(await viewer.locator(".viewer-image").getAttribute("src"));
    check((await shown()) === first, `${lang}: the viewer shows the clicked picture`);
    check(words.position.test(bare(await viewer.locator(".viewer-position").textContent())), `${lang}: it says which picture of how many`);
    await viewer.locator(".viewer-image").evaluate((img) => img.complete || new Promise((done) => { img.onload = done; }));
    await page.screenshot({ path: `${shots}/viewer-${lang}.png` });
    await page.keyboard.press(words.forward);
    check((await shown()) === second, `${lang}: ${words.forward} shows the next picture`);
    const download = viewer.locator(".viewer-download");
    check(absolute(await download.getAttribute("href")) === second && (await download.getAttribute("download")) !== null, `${lang}: a download link for the picture shown`);
    await page.keyboard.press("Escape");
    await viewer.waitFor({ state: "detached" });
    check(await thumbs.nth(0).evaluate((link) => link === document.activeElement), `${lang}: focus goes back to the thumbnail`);

    // The long message, folded until asked.
    const fold = page.locator("#timeline .message-fold").first();
    const body = page.locator("#timeline .message-body-folded").first();
    check(await body.evaluate((el) => el.scrollHeight > el.clientHeight), `${lang}: a long message is folded`);
    check(bare(await fold.textContent()) === words.more, `${lang}: the fold says "${words.more}"`);
    await fold.click();
    await page.locator("#timeline .message-fold[aria-expanded='true']").waitFor();
    check(await page.locator("#timeline .message-body-folded").count() === 0, `${lang}: "${words.more}" unfolds it`);
    check(bare(await page.locator("#timeline .message-fold").first().textContent()) === words.less, `${lang}: then it says "${words.less}"`);
    check(errors.length === 0, `${lang}: no script errors: ${errors.join("; ")}`);
    await context.close();
  }
  console.log("browser: viewer ok");
} finally {
  await browser.close();
}
