// The timeline's details in real headless Chromium: a continued message (same author,
// shortly after, drawn without its header) still shows that it was edited, in English and
// Persian. Usage: node timeline.mjs <base url> <room id> <edited text> <en token> <fa token> <screenshot dir>
import { check, launch, openRoom } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const [base, room, editedText, enToken, faToken, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node timeline.mjs <base url> <room id> <edited text> <en token> <fa token> <screenshot dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });


const browser = await launch();
try {
  for (const [lang, token, label] of [["en", enToken, "edited"], ["fa", faToken, "ویرایش‌شده"]]) {
    const { context, page } = await openRoom(browser, { base, token, lang, room });
    const message = page.locator("#timeline [data-message-id]", { has: page.locator(".message-body", { hasText: editedText }) }).first();
    await message.waitFor();
    check(await message.evaluate((el) => el.classList.contains("message-continued")), `${lang}: the edited message is a continued one`);
    const mark = message.locator(".message-edited");
    check(await mark.count() === 1, `${lang}: one edited mark`);
    // Seen, not only read out: the mark's middle is the mark itself (a visually hidden
    // header is a 1 px clipped box, which playwright's isVisible() still counts).
    const seen = await mark.evaluate((el) => {
      el.scrollIntoView({ block: "center" });
      const box = el.getBoundingClientRect();
      const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
      return box.width > 8 && box.height > 8 && (hit === el || el.contains(hit));
    });
    check(seen, `${lang}: the edited mark of a continued message is visible`);
    const text = (await mark.textContent()).replace(/[\u2068\u2069]/g, "").trim();
    check(text.includes(label), `${lang}: the mark reads "${label}" (${text})`);
    await message.screenshot({ path: `${shots}/timeline-edited-continued-${lang}.png` });
    await context.close();
  }
  console.log("browser: timeline ok");
} finally {
  await browser.close();
}
