// The drawers on a phone, by touch, in real headless Chromium: the member list and the room
// list each open from their toggle with focus inside, and close by a tap on the backdrop, by
// their close button (the member list covers its own toggle) and by Escape wherever focus
// is, giving focus back to the toggle. English (drawer on the right) and Persian (left).
// Usage: node drawers.mjs <base url> <room id> <en token> <fa token> <screenshot dir>
import { check, launch, openRoom, PHONE } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const [base, room, enToken, faToken, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node drawers.mjs <base url> <room id> <en token> <fa token> <screenshot dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });


async function state(page, key) {
  return page.getAttribute("#chat", `data-${key}`);
}

async function focusedId(page) {
  return page.evaluate(() => document.activeElement?.id || document.activeElement?.closest("[id]")?.id || "");
}

/** A tap on the backdrop beside the drawer: the page's far side from `panel`. */
async function tapBeside(page, panel) {
  const box = await page.locator(panel).boundingBox();
  const x = box.x + box.width / 2 > PHONE.width / 2 ? 12 : PHONE.width - 12;
  await page.touchscreen.tap(x, PHONE.height / 2);
}

async function drawer(page, what, { key, shown, hidden, panel, toggle }) {
  const opened = async (how) => {
    await page.tap(toggle);
    await page.waitForFunction(([k, v]) => document.querySelector("#chat").dataset[k] === v, [key, shown]);
    check(await page.locator(panel).isVisible(), `${what}: the drawer shows (${how})`);
    check(await page.evaluate((p) => document.querySelector(p).contains(document.activeElement), panel), `${what}: focus moves into the drawer`);
  };
  const closed = async (how) => {
    await page.waitForFunction(([k, v]) => document.querySelector("#chat").dataset[k] === v, [key, hidden]);
    check(!(await page.locator(panel).isVisible()), `${what}: ${how} hides the drawer`);
    check((await focusedId(page)) === toggle.slice(1), `${what}: ${how} gives focus back to the toggle (${await focusedId(page)})`);
  };

  await opened("backdrop");
  await tapBeside(page, panel);
  await closed("a tap on the backdrop");

  await opened("close button");
  const close = page.locator(`${panel} [data-drawer-close]`);
  if (await close.count()) {
    await close.tap();
    await closed("the close button");
    await opened("escape");
  }
  // Escape works wherever focus is, not only inside the drawer.
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press("Escape");
  await closed("Escape");
}

const browser = await launch();
try {
  for (const [lang, token] of [["en", enToken], ["fa", faToken]]) {
    const { context, page, errors } = await openRoom(browser, { base, token, lang, room, viewport: PHONE, hasTouch: true, isMobile: true });
    check((await state(page, "members")) === "hidden", `${lang}: the member list starts closed on a phone`);

    await drawer(page, `${lang} members`, { key: "members", shown: "shown", hidden: "hidden", panel: "#members", toggle: "#members-toggle" });
    await page.tap("#members-toggle");
    await page.waitForSelector("#members .member");
    await page.screenshot({ path: `${shots}/drawer-members-${lang}-mobile.png` });
    await page.keyboard.press("Escape");
    await drawer(page, `${lang} rooms`, { key: "sidebar", shown: "open", hidden: "closed", panel: "#sidebar", toggle: "#sidebar-toggle" });
    check(errors.length === 0, `no script errors: ${errors.join("; ")}`);
    await context.close();
  }
  console.log("browser: drawers ok");
} finally {
  await browser.close();
}
