// Synced drafts and scheduled messages, in real headless Chromium: text typed in one
// login's composer is saved (debounced) and is in another login's composer when it
// opens the room; "Schedule" beside Send schedules the composer's text and lists it.
// English and Persian (Persian digits in the time shown).
// Usage: node schedule.mjs <base url> <room id> <en token> <en token 2> <fa token> <fa token 2> <screenshot dir>
import { check, launch, openRoom } from "./lib.mjs";

const [base, room, enToken, enToken2, faToken, faToken2, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node schedule.mjs <base url> <room id> <en token> <en token 2> <fa token> <fa token 2> <screenshot dir>");
  process.exit(2);
}

const CASES = [
  { lang: "en", token: enToken, token2: enToken2, draft: "Half a thought, to finish later", label: "Schedule" },
  { lang: "fa", token: faToken, token2: faToken2, draft: "فکری نیمه‌کاره برای بعد", label: "زمان‌بندی" },
];

const browser = await launch();
try {
  for (const { lang, token, token2, draft, label } of CASES) {
    const { context, page, errors } = await openRoom(browser, { base, token, lang, room });
    const saved = page.waitForResponse((r) => r.url().includes("/draft") && r.request().method() === "PUT" && r.ok());
    await page.locator("#composer-input").fill(draft);
    await saved;

    // Another login (another device) opens the room and finds the draft in its box.
    const other = await openRoom(browser, { base, token: token2, lang, room });
    await other.page.waitForFunction((text) => document.querySelector("#composer-input").value === text, draft);
    check(other.errors.length === 0, `${lang}: no script errors on the second device: ${other.errors.join("; ")}`);
    await other.context.close();

    // Schedule the composer's text for tomorrow; it is listed with its time.
    const button = page.locator("#schedule-button");
    check((await button.textContent()).trim() === label, `${lang}: the button is named "${label}"`);
    await button.click();
    const dialog = page.locator("#schedule-dialog");
    await dialog.waitFor();
    check(await dialog.locator("textarea").inputValue() === draft, `${lang}: the dialog takes the composer's text`);
    const tomorrow = new Date(Date.now() + 24 * 3600 * 1000);
    const pad = (n) => String(n).padStart(2, "0");
    await dialog.locator('input[type="datetime-local"]').fill(
      `${tomorrow.getFullYear()}-${pad(tomorrow.getMonth() + 1)}-${pad(tomorrow.getDate())}T09:30`);
    await dialog.locator('button[type="submit"]').click();
    const item = dialog.locator("#scheduled-list [data-scheduled-id]", { hasText: draft.slice(0, 12) });
    await item.waitFor();
    const when = await item.locator("time").textContent();
    if (lang === "fa") check(/[۰-۹]/.test(when) && !/[0-9]/.test(when), `fa: the time is in Persian digits: ${when}`);
    check(await page.locator("#composer-input").inputValue() === "", `${lang}: the composer is emptied once scheduled`);
    await page.screenshot({ path: `${shots}/schedule-${lang}.png` });
    check(errors.length === 0, `${lang}: no script errors: ${errors.join("; ")}`);
    await context.close();
  }
  console.log("browser: schedule ok");
} finally {
  await browser.close();
}
