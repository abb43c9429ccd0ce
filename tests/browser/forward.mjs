// Forwarding from a message's menu, in real headless Chromium: "Forward" opens a dialog
// that lists the rooms and conversations one is in, filtered as one types, with an optional
// comment; the copy shows "Forwarded from #room · author" in the target room, as a link to
// the original for someone who can open it and as plain text for someone who cannot.
// English and Persian, with screenshots.
// Usage: node forward.mjs <base url> <source room> <target room> <en token> <fa token> <outsider token> <screenshot dir>
import { check, launch, openRoom } from "./lib.mjs";

const [base, source, target, enToken, faToken, outsiderToken, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node forward.mjs <base url> <source room> <target room> <en token> <fa token> <outsider token> <screenshot dir>");
  process.exit(2);
}

const CASES = [
  { lang: "en", token: enToken, text: "Plan for Thursday", label: "Forward", comment: "see this", header: "Forwarded from", sent: "Forwarded" },
  { lang: "fa", token: faToken, text: "برنامهٔ پنجشنبه", label: "هدایت", comment: "این را ببینید", header: "هدایت‌شده از", sent: "هدایت شد" },
];

const browser = await launch();
try {
  for (const { lang, token, text, label, comment, header, sent } of CASES) {
    const { context, page, errors } = await openRoom(browser, { base, token, lang, room: source });
    const message = (body) => page.locator("#timeline [data-message-id]", { has: page.locator(".message-body", { hasText: body }) }).first();
    await message(text).hover();
    const action = message(text).locator('[data-action="forward"]');
    check(await action.getAttribute("aria-label") === label, `${lang}: the action is named "${label}"`);
    await action.click();
    const dialog = page.locator("#forward-dialog");
    await dialog.waitFor();
    check((await dialog.locator(".report-quote").textContent()).includes(text), `${lang}: the dialog quotes the message`);
    // Nothing chosen: the dialog stays and says why.
    await dialog.locator('button[type="submit"]').click();
    await dialog.locator(".dialog-error").waitFor();
    check(await dialog.isVisible(), `${lang}: without a room the dialog stays open`);
    // The filter leaves the public room and hides the source.
    await dialog.locator('input[type="search"]').fill("چای");
    const choices = dialog.locator(".forward-choice:visible");
    check(await choices.count() === 1, `${lang}: the filter leaves one room`);
    await choices.first().locator("input").check();
    await dialog.locator("textarea").fill(comment);
    await page.screenshot({ path: `${shots}/forward-dialog-${lang}.png` });
    await dialog.locator('button[type="submit"]').click();
    await dialog.waitFor({ state: "detached" });
    await page.locator("#toasts .toast", { hasText: sent }).waitFor();
    await context.close();

    // The target room shows the copy with its header, a link for a member of the source.
    const there = await openRoom(browser, { base, token, lang, room: target });
    // Fluent isolates the placeholders (U+2068…U+2069), so the parts are looked for apart.
    const forwarded = there.page.locator("#timeline .message-forwarded", { hasText: "Back office" }).last();
    await forwarded.waitFor();
    check((await forwarded.textContent()).includes(header), `${lang}: the header says "${header}"`);
    check(await forwarded.evaluate((el) => el.classList.contains("message-forwarded-link")), `${lang}: a member of the source gets a link`);
    await there.page.locator("#timeline .message-body", { hasText: comment }).last().waitFor();
    await there.page.screenshot({ path: `${shots}/forwarded-${lang}.png` });
    await forwarded.click();
    await there.page.waitForFunction((id) => location.hash.includes(id), source);
    check(errors.length === 0 && there.errors.length === 0, `${lang}: no script errors: ${[...errors, ...there.errors].join("; ")}`);
    await there.context.close();
  }

  // Someone outside the source room sees the header as text, with no way to the original.
  const { context, page, errors } = await openRoom(browser, { base, token: outsiderToken, lang: "en", room: target });
  await page.locator("#timeline .message-forwarded", { hasText: "Back office" }).first().waitFor();
  check(await page.locator("#timeline .message-forwarded-link").count() === 0, "an outsider gets no link");
  await page.screenshot({ path: `${shots}/forwarded-outsider-en.png` });
  check(errors.length === 0, `outsider: no script errors: ${errors.join("; ")}`);
  await context.close();
  console.log("browser: forward ok");
} finally {
  await browser.close();
}
