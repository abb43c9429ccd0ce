// Reporting a message from its menu, in real headless Chromium: someone else's message has a
// "Report" action (one's own has none); it asks why, refuses an empty reason in place, and
// files the report, which the moderators then see. English and Persian.
// Usage: node report.mjs <base url> <room id> <en token> <fa token>
import { check, launch, openRoom } from "./lib.mjs";

const [base, room, enToken, faToken] = process.argv.slice(2);
if (!faToken) {
  console.error("usage: node report.mjs <base url> <room id> <en token> <fa token>");
  process.exit(2);
}

const CASES = [
  // Each reports the other's message.
  { lang: "en", token: enToken, theirs: "سلام، این پیام پریساست", mine: "Hello, this is Alice", label: "Report", reason: "spam from the browser", sent: "Thanks" },
  { lang: "fa", token: faToken, theirs: "Hello, this is Alice", mine: "سلام، این پیام پریساست", label: "گزارش", reason: "هرزنامه از مرورگر", sent: "سپاس" },
];

const browser = await launch();
try {
  for (const { lang, token, theirs, mine, label, reason, sent } of CASES) {
    const { context, page, errors } = await openRoom(browser, { base, token, lang, room });
    const message = (text) => page.locator("#timeline [data-message-id]", { has: page.locator(".message-body", { hasText: text }) }).first();
    await message(mine).hover();
    check(await message(mine).locator('[data-action="report"]').count() === 0, `${lang}: no report action on one's own message`);

    await message(theirs).hover();
    const action = message(theirs).locator('[data-action="report"]');
    check(await action.getAttribute("aria-label") === label, `${lang}: the action is named "${label}"`);
    await action.click();
    const dialog = page.locator("#report-dialog");
    await dialog.waitFor();
    check((await dialog.locator(".report-quote").textContent()).includes(theirs.slice(0, 10)), `${lang}: the dialog quotes the message`);
    // An empty reason is not sent: the dialog stays, with the field to fill.
    await dialog.locator('button[type="submit"]').click();
    check(await dialog.isVisible(), `${lang}: an empty reason keeps the dialog open`);
    await dialog.locator("textarea").fill(reason);
    await dialog.locator('button[type="submit"]').click();
    await dialog.waitFor({ state: "detached" });
    await page.locator("#toasts .toast", { hasText: sent }).waitFor();
    check(errors.length === 0, `${lang}: no script errors: ${errors.join("; ")}`);
    await context.close();
  }
  console.log("browser: report ok");
} finally {
  await browser.close();
}
