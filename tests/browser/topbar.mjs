// The top bar hides nothing on a phone or a tablet, in real headless Chromium: the search
// scope ("this room only") is there with its words, and the connection state is said in
// words, not only by a coloured dot; all of it inside the window. English and Persian.
// Usage: node topbar.mjs <base url> <room id> <en token> <fa token> <screenshot dir>
import { check, launch, openRoom } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const [base, room, enToken, faToken, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node topbar.mjs <base url> <room id> <en token> <fa token> <screenshot dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const SIZES = { mobile: { width: 390, height: 844 }, tablet: { width: 820, height: 1180 } };
const WORDS = {
  en: { scope: "This room only", connected: "Connected" },
  fa: { scope: "فقط همین اتاق", connected: "متصل" },
};

/** Whether `selector`'s text can be seen: a real box, inside the window, not clipped away. */
async function seen(page, selector) {
  return page.$eval(selector, (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const box = range.getBoundingClientRect();
    if (box.width < 8 || box.height < 8) return false;
    if (box.left < 0 || box.right > window.innerWidth) return false;
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return hit === el || el.contains(hit) || hit?.contains(el);
  });
}

const browser = await launch();
try {
  for (const [lang, token] of [["en", enToken], ["fa", faToken]]) {
    for (const [size, viewport] of Object.entries(SIZES)) {
      const what = `${lang} ${size}`;
      const { context, page } = await openRoom(browser, { base, token, lang, room, viewport, hasTouch: true });
      await page.waitForSelector('#connection-status[data-state="connected"]');

      check(await page.isVisible("#search-scope"), `${what}: the "this room only" box is there`);
      check(await seen(page, ".search-scope span"), `${what}: the search scope has its words`);
      const scope = (await page.textContent(".search-scope span")).trim();
      check(scope === WORDS[lang].scope, `${what}: the scope reads "${WORDS[lang].scope}" (${scope})`);
      check(await seen(page, ".connection-text"), `${what}: the connection state is in words`);
      const state = (await page.textContent(".connection-text")).trim();
      check(state === WORDS[lang].connected, `${what}: the state reads "${WORDS[lang].connected}" (${state})`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      check(width <= viewport.width, `${what}: the page keeps its width (${width}px)`);

      // Scoped search still works from there.
      await page.tap(".search-scope");
      check(await page.isChecked("#search-scope"), `${what}: a tap on the words ticks the box`);
      await page.screenshot({ path: `${shots}/topbar-${lang}-${size}.png` });
      await context.close();
    }
  }
  console.log("browser: topbar ok");
} finally {
  await browser.close();
}
