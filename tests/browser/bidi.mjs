// Right-to-left details in real headless Chromium:
// - in the English sidebar, a Persian preview is cut at its logical end, so its first words
//   show (and the same for an English preview in the Persian sidebar);
// - in the member list, @username sits beside the name on the avatar's side, in both
//   directions.
// Usage: node bidi.mjs <base url> <room with a Persian last message> <room with an English
//   last message> <en token> <fa token> <screenshot dir>
import { check, launch, openRoom, STEP_MS } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const [base, persianRoom, englishRoom, enToken, faToken, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node bidi.mjs <base url> <fa room> <en room> <en token> <fa token> <screenshot dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });


/**
 * Runs in the page: what is wrong with the reading order of `room`'s preview and name in
 * the sidebar and of every member's name and @username (or, with `settled`, whether
 * nothing is).
 */
function readingOrderProblems({ room, rtl, settled }) {
  const problems = [];
  // The text's own box, not its (stretched) element box.
  const textBox = (el, length) => {
    const range = document.createRange();
    if (length) {
      range.setStart(el.firstChild, 0);
      range.setEnd(el.firstChild, length);
    } else {
      range.selectNodeContents(el);
    }
    return range.getBoundingClientRect();
  };
  const item = document.querySelector(`#room-list [data-room-id="${room}"]`);
  const span = item?.querySelector('.room-preview > span[dir="auto"]');
  if (!span) {
    problems.push("the room's preview is missing");
  } else {
    // The preview's first character is inside what the sidebar shows of it: the preview
    // line's box (which clips), narrowed to the text's own box.
    const line = span.closest(".room-preview").getBoundingClientRect();
    const own = span.getBoundingClientRect();
    const shown = { left: Math.max(line.left, own.left), right: Math.min(line.right, own.right) };
    const whole = textBox(span);
    const first = textBox(span, 1);
    const text = span.textContent.slice(0, 30);
    if (!(whole.width > shown.right - shown.left + 1)) problems.push(`the preview is long enough to be cut (${text})`);
    if (!(first.left >= shown.left - 0.5 && first.right <= shown.right + 0.5)) problems.push(`the preview shows its first words (${text})`);
    // The room's name (Persian in both sidebars) starts on the icon's side, like its preview.
    const name = textBox(item.querySelector(".room-text .room-name"));
    const edges = rtl ? Math.abs(name.right - line.right) : Math.abs(name.left - line.left);
    if (!(edges <= 2)) problems.push(`the room name starts beside its icon (${edges}px off)`);
  }
  // Name and @username share the avatar-side edge.
  for (const member of document.querySelectorAll("#member-list .member")) {
    const name = textBox(member.querySelector(".member-name bdi"));
    const username = textBox(member.querySelector(".member-username"));
    const gap = rtl ? Math.abs(name.right - username.right) : Math.abs(name.left - username.left);
    if (!(gap <= 2)) problems.push(`${member.querySelector(".member-username").textContent} sits beside its name (${gap}px apart)`);
  }
  return settled ? problems.length === 0 : problems;
}

const browser = await launch();
try {
  // Each language looks at the preview written in the other.
  for (const [lang, token, room] of [["en", enToken, persianRoom], ["fa", faToken, englishRoom]]) {
    const { context, page } = await openRoom(browser, { base, token, lang, room });
    await page.waitForSelector("#member-list .member:nth-child(2)");
    await page.evaluate(() => document.fonts.ready);

    // The sidebar and member list may still be settling (a late font, a presence update),
    // so the checks are polled until they hold or the step limit passes; then the last
    // measurement's failures are reported.
    const args = { room, rtl: lang === "fa" };
    await page.waitForFunction(readingOrderProblems, { ...args, settled: true }, { timeout: STEP_MS }).catch(() => {});
    const problems = await page.evaluate(readingOrderProblems, args);
    for (const problem of problems) check(false, `${lang}: ${problem}`);
    await page.screenshot({ path: `${shots}/bidi-${lang}-desktop.png` });
    await context.close();
  }
  console.log("browser: bidi ok");
} finally {
  await browser.close();
}
