// Pinned and saved messages in real headless Chromium. The room's owner pins an old message
// from its menu, opens the pinned panel from the room header and jumps to it (the history
// around it loads), then saves it with a note and finds it in the saved list. A member of a
// room that lets only moderators pin has no "Pin" in the menu, but sees the pin, jumps to
// it and saves it too. English and Persian, with screenshots.
// Usage: node pins.mjs <base url> <room id> <en token> <fa token> <old message text> <screenshot dir>
import { check, launch, openRoom } from "./lib.mjs";

const [base, room, enToken, faToken, oldText, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node pins.mjs <base url> <room id> <en token> <fa token> <old message text> <screenshot dir>");
  process.exit(2);
}

const CASES = [
  {
    lang: "en", token: enToken, mayPin: true, pin: "Pin", unpin: "Unpin", save: "Save", unsave: "Unsave",
    note: "for the release notes", pinnedBy: "Pinned by", unavailable: "no longer available",
  },
  {
    lang: "fa", token: faToken, mayPin: false, pin: "سنجاق", unpin: "برداشتن سنجاق", save: "نگه‌داشتن", unsave: "برداشتن از نگه‌داشته‌ها",
    note: "برای یادداشت‌های انتشار", pinnedBy: "سنجاق‌شده به دست", unavailable: "در دسترس نیست",
  },
];

const browser = await launch();
try {
  for (const { lang, token, mayPin, pin, unpin, save, unsave, note, pinnedBy } of CASES) {
    const { context, page, errors } = await openRoom(browser, { base, token, lang, room });
    const inTimeline = (text) => page.locator("#timeline [data-message-id]", { has: page.locator(".message-body", { hasText: text }) }).first();
    // The newest message: in view, with its menu on hover.
    const newest = page.locator("#timeline [data-message-id]").last();
    await newest.hover();
    check(await newest.locator('[data-action="save"]').getAttribute("aria-label") === save, `${lang}: the menu offers "${save}"`);
    if (!mayPin) {
      check(await newest.locator('[data-action="pin"]').count() === 0, `${lang}: a member has no "Pin" when the room does not allow it`);
    }
    check(!(await inTimeline(oldText).isVisible()), `${lang}: the old message is not on screen yet`);

    if (mayPin) {
      // Pin the old message: scroll back to it first (it is far above).
      await page.waitForFunction((text) => {
        const found = [...document.querySelectorAll("#timeline .message-body")].find((el) => el.textContent.includes(text));
        if (found) {
          found.scrollIntoView({ block: "center" });
          return true;
        }
        // At the top, the timeline loads the page before.
        document.getElementById("timeline-scroller").scrollTop = 0;
        return false;
      }, oldText, { polling: 200 });
      const old = inTimeline(oldText);
      await old.hover();
      const action = old.locator('[data-action="pin"]');
      check(await action.getAttribute("aria-label") === pin, `${lang}: the menu offers "${pin}"`);
      await action.click();
      await page.waitForFunction((label) => [...document.querySelectorAll('#timeline [data-action="pin"]')].some((b) => b.getAttribute("aria-label") === label), unpin);
      // Back to the newest messages, so the jump has something to load.
      await page.evaluate(() => {
        const scroller = document.getElementById("timeline-scroller");
        scroller.scrollTop = scroller.scrollHeight;
      });
      // Clicked in the page, in one step: the button hides itself once the newest
      // messages are in view, so a visibility check from here could be stale by the click.
      await page.evaluate(() => {
        const latest = document.getElementById("jump-latest");
        if (latest && !latest.hidden) latest.click();
      });
    }

    // The pinned panel, from the room header, and the jump.
    await page.click("#room-pins-button");
    const panel = page.locator("#pins-dialog");
    await panel.locator(".pin-item").first().waitFor();
    const items = await panel.locator(".pin-item").count();
    check(items === 1, `${lang}: one pin listed (${items})`);
    const item = panel.locator(".pin-item").first();
    check((await item.locator(".pin-text").textContent()).includes(oldText.slice(0, 12)), `${lang}: the pin shows the message`);
    check((await item.locator(".pin-meta").textContent()).includes(pinnedBy), `${lang}: the pin says who pinned it`);
    if (lang === "fa") {
      check(await page.evaluate(() => getComputedStyle(document.querySelector("#pins-dialog")).direction) === "rtl", "fa: the panel is right-to-left");
    }
    await page.screenshot({ path: `${shots}/pins-${lang}.png` });
    await item.locator(".pin-jump").click();
    await panel.waitFor({ state: "detached" });
    const target = inTimeline(oldText);
    await page.waitForFunction((text) => {
      const el = [...document.querySelectorAll("#timeline .message-highlight .message-body")].find((b) => b.textContent.includes(text));
      if (!el) return false;
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight;
    }, oldText);
    check(await target.isVisible(), `${lang}: the jump shows the pinned message`);

    // Save it with a note.
    await target.hover();
    await target.locator('[data-action="save"]').click();
    const dialog = page.locator("#save-dialog");
    await dialog.waitFor();
    await dialog.locator("textarea").fill(note);
    await dialog.locator('button[type="submit"]').click();
    await dialog.waitFor({ state: "detached" });
    await target.hover();
    await page.waitForFunction(({ text, label }) => {
      const message = [...document.querySelectorAll("#timeline [data-message-id]")].find((m) => m.querySelector(".message-body")?.textContent.includes(text));
      return message?.querySelector('[data-action="save"]')?.getAttribute("aria-label") === label;
    }, { text: oldText, label: unsave });

    // The saved list, from the user menu: the message, its room and my note.
    await page.click("#saved-button");
    const saved = page.locator("#saved-dialog");
    await saved.locator(".pin-item").first().waitFor();
    const entry = saved.locator(".pin-item").first();
    check((await entry.locator(".saved-note").textContent()) === note, `${lang}: the note shows`);
    check((await entry.locator(".pin-text").textContent()).includes(oldText.slice(0, 12)), `${lang}: the saved message shows`);
    await page.screenshot({ path: `${shots}/saved-${lang}.png` });
    await entry.locator(".pin-jump").click();
    await saved.waitFor({ state: "detached" });
    check(errors.length === 0, `${lang}: no script errors: ${errors.join("; ")}`);
    await context.close();
  }
  console.log("browser: pins ok");
} finally {
  await browser.close();
}
