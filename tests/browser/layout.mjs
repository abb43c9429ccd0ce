// Layout traps in real headless Chromium: one long unbroken string (a token, a hash, a URL,
// a file name) must wrap or scroll inside its own box, in the composer, in messages, in the
// inline editor, in the reply preview and in file names, and never widen the page: the
// sidebar stays on screen. English and Persian, desktop and phone.
// Usage: node layout.mjs <base url> <room id> <long token> <en token> <fa token> <screenshot dir>
import { check, DESKTOP, launch, openRoom, PHONE } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const [base, room, long, enToken, faToken, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node layout.mjs <base url> <room id> <long token> <en token> <fa token> <screenshot dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });


/// Everything that should fit the window, measured: the page's own scroll width and the
/// boxes of the main regions (the sidebar too, where it is not an off-canvas drawer).
async function overflow(page, withSidebar) {
  return page.evaluate((withSidebar) => {
    const width = window.innerWidth;
    const problems = [];
    const root = document.documentElement;
    if (root.scrollWidth > width) problems.push(`page scrolls to ${root.scrollWidth}px`);
    const selectors = ["#chat", ".room", "#timeline", "#composer", "#composer-input", ".message-editor-input", "#composer-context"];
    if (withSidebar) selectors.push("#sidebar");
    for (const selector of selectors) {
      for (const element of document.querySelectorAll(selector)) {
        const box = element.getBoundingClientRect();
        if (box.width === 0) continue;
        if (box.left < -0.5 || box.right > width + 0.5) {
          problems.push(`${selector} spans ${Math.round(box.left)}..${Math.round(box.right)}px`);
        }
      }
    }
    return problems;
  }, withSidebar);
}

async function fits(page, what, withSidebar) {
  const problems = await overflow(page, withSidebar);
  check(problems.length === 0, `${what}: ${problems.join("; ")}`);
}

const browser = await launch();
try {
  for (const [lang, token] of [["en", enToken], ["fa", faToken]]) {
    const { context, page, errors } = await openRoom(browser, { base, token, lang, room });
    await page.locator("#timeline .message-body", { hasText: long.slice(0, 40) }).first().waitFor();
    await page.locator("#timeline .attachment-file").first().waitFor();

    for (const [size, viewport] of [["desktop", DESKTOP], ["mobile", PHONE]]) {
      const withSidebar = size === "desktop";
      const what = `${lang} ${size}`;
      await page.setViewportSize(viewport);
      await fits(page, `${what}, a long message, a long file name and a long preview`, withSidebar);

      await page.fill("#composer-input", long);
      await fits(page, `${what}, a long token in the composer`, withSidebar);
      await page.fill("#composer-input", "");

      // The inline editor on one's own message (ArrowUp in the empty composer).
      await page.focus("#composer-input");
      await page.keyboard.press("ArrowUp");
      const editor = page.locator(".message-editor-input");
      await editor.waitFor();
      await fits(page, `${what}, a long token in the inline editor`, withSidebar);
      await editor.press("Escape");
      await editor.waitFor({ state: "detached" });

      // Replying to the long message puts its preview above the composer.
      const message = page.locator("#timeline [data-message-id]", { has: page.locator(".message-body", { hasText: long.slice(0, 40) }) }).first();
      await message.hover();
      await message.locator('[data-action="reply"]').click();
      await page.locator("#composer-context").waitFor({ state: "visible" });
      await fits(page, `${what}, replying to a long message`, withSidebar);
      await page.screenshot({ path: `${shots}/layout-long-${lang}-${size}.png` });
      await page.focus("#composer-input");
      await page.keyboard.press("Escape");
      await page.setViewportSize(DESKTOP);
    }
    check(errors.length === 0, `no script errors: ${errors.join("; ")}`);
    await context.close();
  }
  console.log("browser: layout ok");
} finally {
  await browser.close();
}
