// Right-to-left details in real headless Chromium:
// - in the English sidebar, a Persian preview is cut at its logical end, so its first words
//   show (and the same for an English preview in the Persian sidebar);
// - in the member list, @username sits beside the name on the avatar's side, in both
//   directions.
// Usage: node bidi.mjs <base url> <room with a Persian last message> <room with an English
//   last message> <en token> <fa token> <screenshot dir>
import { check, launch, openRoom } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const [base, persianRoom, englishRoom, enToken, faToken, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node bidi.mjs <base url> <fa room> <en room> <en token> <fa token> <screenshot dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });


const browser = await launch();
try {
  // Each language looks at the preview written in the other.
  for (const [lang, token, room] of [["en", enToken, persianRoom], ["fa", faToken, englishRoom]]) {
    const { context, page } = await openRoom(browser, { base, token, lang, room });
    await page.waitForSelector("#member-list .member:nth-child(2)");

    // The preview's first character is inside what the sidebar shows of it: the preview
    // line's box (which clips), narrowed to the text's own box.
    const preview = await page.$eval(`#room-list [data-room-id="${room}"] .room-preview > span[dir="auto"]`, (el) => {
      const line = el.closest(".room-preview").getBoundingClientRect();
      const own = el.getBoundingClientRect();
      const shown = { left: Math.max(line.left, own.left), right: Math.min(line.right, own.right) };
      const range = document.createRange();
      range.selectNodeContents(el);
      const whole = range.getBoundingClientRect();
      range.setStart(el.firstChild, 0);
      range.setEnd(el.firstChild, 1);
      const first = range.getBoundingClientRect();
      return {
        overflows: whole.width > shown.right - shown.left + 1,
        firstShown: first.left >= shown.left - 0.5 && first.right <= shown.right + 0.5,
        text: el.textContent.slice(0, 30),
      };
    });
    // The room's name (Persian in both sidebars) starts on the icon's side, like its preview.
    const edges = await page.$eval(`#room-list [data-room-id="${room}"] .room-text`, (el, rtl) => {
      const range = document.createRange();
      range.selectNodeContents(el.querySelector(".room-name"));
      const name = range.getBoundingClientRect(); // the text, not its (stretched) box
      const line = el.querySelector(".room-preview").getBoundingClientRect();
      return rtl ? Math.abs(name.right - line.right) : Math.abs(name.left - line.left);
    }, lang === "fa");
    check(edges <= 2, `${lang}: the room name starts beside its icon (${edges}px off)`);
    check(preview.overflows, `${lang}: the preview is long enough to be cut (${preview.text})`);
    check(preview.firstShown, `${lang}: the preview shows its first words (${preview.text})`);

    // Name and @username share the avatar-side edge.
    const rows = await page.$$eval("#member-list .member", (members, rtl) => members.map((member) => {
      const text = (el) => {
        const range = document.createRange();
        range.selectNodeContents(el);
        return range.getBoundingClientRect(); // the text, not its (stretched) box
      };
      const name = text(member.querySelector(".member-name bdi"));
      const username = text(member.querySelector(".member-username"));
      const gap = rtl ? Math.abs(name.right - username.right) : Math.abs(name.left - username.left);
      return { who: member.querySelector(".member-username").textContent, gap };
    }), lang === "fa");
    for (const row of rows) check(row.gap <= 2, `${lang}: ${row.who} sits beside its name (${row.gap}px apart)`);
    await page.screenshot({ path: `${shots}/bidi-${lang}-desktop.png` });
    await context.close();
  }
  console.log("browser: bidi ok");
} finally {
  await browser.close();
}
