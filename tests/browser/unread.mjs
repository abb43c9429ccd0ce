// Unread messages in real headless Chromium, English and Persian, desktop and phone.
// The reader has read up to "earlier 10"; bob then wrote 60 more (more than one page).
// Opening the room shows "New messages" right above "unread 01", in view, with the jump
// button counting the unread messages still below; a new message while scrolled up adds
// one; the jump reads everything, and the next open has no divider. Three mentions in
// another room make one pop-up ("3 mentions in Lobby") and three system notifications
// sharing one tag, and opening the room clears them. On a phone, 25 unread messages (all
// in the newest page) get the same divider.
// Usage: node unread.mjs <base> <room> <lobby> <bob token> <en token> <en name> <fa token> <fa name> <shots>
import { check, launch, openRoom, PHONE, spyOnNotifications } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const [base, room, lobby, bob, enToken, enName, faToken, faName, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node unread.mjs <base> <room> <lobby> <bob token> <en token> <en name> <fa token> <fa name> <shots>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹";
const plain = (text) => text.replace(/[\u2068\u2069]/g, "").trim();
const latinDigits = (text) => text.replace(/[۰-۹]/g, (d) => String(PERSIAN_DIGITS.indexOf(d)));

async function post(roomId, body) {
  const resp = await fetch(`${base}/api/v1/rooms/${roomId}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${bob}`, "content-type": "application/json" },
    body: JSON.stringify({ body }),
  });
  check(resp.status === 201, `bob posts "${body}" (${resp.status})`);
}

/** The first message after the divider, and whether the divider is inside the scroller's view. */
async function dividerState(page) {
  return page.evaluate(() => {
    const divider = document.querySelector("#timeline .unread-divider");
    if (!divider) return null;
    let next = divider.nextElementSibling;
    while (next && !next.matches("[data-message-id]")) next = next.nextElementSibling;
    let prev = divider.previousElementSibling;
    while (prev && !prev.matches("[data-message-id]")) prev = prev.previousElementSibling;
    const view = document.querySelector("#timeline-scroller").getBoundingClientRect();
    const box = divider.getBoundingClientRect();
    return {
      text: divider.textContent,
      next: next?.querySelector(".message-body")?.textContent || next?.textContent || "",
      prev: prev?.querySelector(".message-body")?.textContent || prev?.textContent || "",
      inView: box.top >= view.top - 1 && box.bottom <= view.bottom + 1,
      nearTop: box.top - view.top < view.height / 3,
    };
  });
}

/** What the jump button should say: of `total` unread, those not yet scrolled into view. */
function expectedBelow(page, total) {
  return page.evaluate((count) => {
    const divider = document.querySelector("#timeline .unread-divider");
    const bottom = document.querySelector("#timeline-scroller").getBoundingClientRect().bottom;
    const seen = [...document.querySelectorAll("#timeline [data-message-id]")]
      .filter((el) => divider.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING && el.getBoundingClientRect().top < bottom).length;
    return count - seen;
  }, total);
}

/** The reader's unread count in a room, as the server has it. */
function unreadOnServer(page, roomId) {
  return page.evaluate(async (id) => (await (await fetch("/api/v1/rooms")).json()).find((r) => r.id === id)?.unread, roomId);
}

async function jumpCount(page, lang) {
  const text = plain(await page.textContent("#jump-latest"));
  const pattern = lang === "fa" ? /^([۰-۹]+) پیام تازه$/ : /^(\d+) new messages?$/;
  const match = text.match(pattern);
  check(match, `${lang}: the jump button counts new messages below ("${text}")`);
  return Number(latinDigits(match[1]));
}

/** Waits until the button's number is what the page shows; returns it. */
async function waitForCount(page, lang, total) {
  await page.waitForFunction(() => !document.querySelector("#jump-latest").hidden && Number(document.querySelector("#jump-latest").dataset.count) > 0);
  let want = await expectedBelow(page, total);
  await page.waitForFunction((n) => document.querySelector("#jump-latest").dataset.count === String(n), want);
  want = await expectedBelow(page, total);
  const got = await jumpCount(page, lang);
  check(got === want, `${lang}: the jump button says ${got}, ${want} unread messages are below`);
  return got;
}

async function unreadBadge(page, roomId) {
  return page.locator(`#sidebar [data-room-id="${roomId}"] .badge-unread`).count();
}

const browser = await launch();
try {
  for (const [lang, token, name] of [["en", enToken, enName], ["fa", faToken, faName]]) {
    const context = await browser.newContext({ locale: lang === "fa" ? "fa-IR" : "en-US", viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(["notifications"], { origin: base });
    await context.addInitScript(spyOnNotifications);
    await context.addCookies([{ name: "anjoman_session", value: token, url: base }]);
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const errors = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(`${base}/#room=${room}`);
    await page.waitForSelector('#chat[data-view="room"]');

    // The divider, right above the first unread message, near the top and in view.
    await page.waitForSelector("#timeline .unread-divider");
    await page.waitForFunction(() => document.querySelector("#timeline").getAttribute("aria-busy") === "false");
    const divider = await dividerState(page);
    check(divider.text === (lang === "fa" ? "پیام‌های تازه" : "New messages"), `${lang}: the divider says "${divider.text}"`);
    check(divider.next.startsWith("unread 01"), `${lang}: the first unread message follows the divider ("${divider.next}")`);
    check(divider.inView && divider.nearTop, `${lang}: the divider is in view near the top (${JSON.stringify(divider)})`);
    const atEnd = await page.evaluate(() => {
      const view = document.querySelector("#timeline-scroller");
      return view.scrollHeight - view.scrollTop - view.clientHeight < 48;
    });
    check(!atEnd, `${lang}: the room did not open at the bottom`);

    // The jump button counts what is below, in the page's digits.
    const total = await unreadOnServer(page, room);
    check(total >= 60, `${lang}: the server counts at least 60 unread (${total})`);
    const count = await waitForCount(page, lang, total);
    check(count > 0 && count < total, `${lang}: some unread messages are in view, the rest counted (${count})`);
    if (lang === "fa") check(!/\d/.test(await page.textContent("#jump-latest")), "fa: the count is in Persian digits");
    await page.screenshot({ path: `${shots}/unread-divider-${lang}.png` });

    // A new message while scrolled up adds one.
    await post(room, `one more for ${lang}`);
    await page.waitForFunction((n) => document.querySelector("#jump-latest").dataset.count === String(n), count + 1);
    check((await jumpCount(page, lang)) === count + 1, `${lang}: the count went up by one`);

    // Three mentions elsewhere: one pop-up, counted; one notification tag.
    for (const n of [1, 2, 3]) await post(lobby, `@${name} look ${n}`);
    const popup = page.locator(`#toasts [data-mention-room-id="${lobby}"]`);
    await page.waitForSelector(`#toasts [data-mention-room-id="${lobby}"][data-mentions="3"]`);
    check((await popup.count()) === 1, `${lang}: the mentions share one pop-up (${await popup.count()})`);
    const popupText = plain(await popup.locator(".toast-text").textContent());
    const wantPopup = lang === "fa" ? "۳ بار در Lobby از شما نام برده شد" : "3 mentions in Lobby";
    check(popupText === wantPopup, `${lang}: the pop-up says "${popupText}"`);
    const notes = await page.evaluate(() => window.__notifications);
    check(notes.length === 3 && notes.every((n) => n.tag === notes[0].tag && n.tag.includes(`${lobby}`)),
      `${lang}: one notification tag for the room, replaced each time (${JSON.stringify(notes)})`);
    check(plain(notes[2].body) === wantPopup && plain(notes[2].title) === "Lobby", `${lang}: the last notification counts three (${JSON.stringify(notes[2])})`);
    await page.screenshot({ path: `${shots}/unread-mentions-${lang}.png` });

    // Jump to the latest: everything is read, here and on the server.
    await page.click("#jump-latest");
    await page.waitForFunction(() => document.querySelector("#jump-latest").hidden);
    await page.waitForSelector(`text=one more for ${lang}`);
    await page.waitForFunction((id) => !document.querySelector(`#sidebar [data-room-id="${id}"] .badge-unread`), room);
    await page.waitForFunction(async (id) => {
      const rooms = await (await fetch("/api/v1/rooms")).json();
      return rooms.find((r) => r.id === id)?.unread === 0;
    }, room, { polling: 200 });
    // The newest page does not reach back to the first unread: no divider atop it.
    const afterJump = await dividerState(page);
    check(!afterJump || afterJump.next.startsWith("unread 01"), `${lang}: no misplaced divider after the jump (${JSON.stringify(afterJump)})`);

    // Opening the mentioned room clears its pop-up.
    await popup.locator(".toast-link").click();
    await page.waitForFunction((id) => location.hash === `#room=${id}`, lobby);
    await page.waitForFunction((id) => !document.querySelector(`#toasts [data-mention-room-id="${id}"]`), lobby);

    // The next open has no divider: all was read.
    await page.goto(`${base}/#room=${room}`);
    await page.reload();
    await page.waitForSelector('#chat[data-view="room"]');
    await page.waitForFunction(() => document.querySelector("#timeline").getAttribute("aria-busy") === "false");
    await page.waitForSelector(`text=one more for ${lang}`);
    check((await page.locator("#timeline .unread-divider").count()) === 0, `${lang}: no divider once read`);
    check((await unreadBadge(page, room)) === 0, `${lang}: no unread badge once read`);
    check(errors.length === 0, `${lang}: no script errors: ${errors.join("; ")}`);
    await context.close();

    // On a phone: 25 unread messages, all in the newest page.
    for (let n = 1; n <= 25; n += 1) await post(room, `phone ${lang} ${String(n).padStart(2, "0")}`);
    const phone = await openRoom(browser, { base, token, lang, room, viewport: PHONE, hasTouch: true, isMobile: true });
    await phone.page.waitForSelector("#timeline .unread-divider");
    await phone.page.waitForFunction(() => document.querySelector("#timeline").getAttribute("aria-busy") === "false");
    const onPhone = await dividerState(phone.page);
    check(onPhone.next.startsWith(`phone ${lang} 01`), `${lang} phone: the first unread follows the divider ("${onPhone.next}")`);
    check(onPhone.inView, `${lang} phone: the divider is in view`);
    check(onPhone.prev.startsWith(`one more for ${lang}`), `${lang} phone: the last read message is just above ("${onPhone.prev}")`);
    await waitForCount(phone.page, lang, 25);
    await phone.page.screenshot({ path: `${shots}/unread-divider-${lang}-mobile.png` });
    await phone.page.tap("#jump-latest");
    await phone.page.waitForFunction(() => document.querySelector("#jump-latest").hidden);
    check(await phone.page.isVisible("#timeline .unread-divider"), `${lang} phone: the divider stays while the room is open`);
    await phone.page.waitForFunction(async (id) => {
      const rooms = await (await fetch("/api/v1/rooms")).json();
      return rooms.find((r) => r.id === id)?.unread === 0;
    }, room, { polling: 200 });
    check(phone.errors.length === 0, `${lang} phone: no script errors: ${phone.errors.join("; ")}`);
    await phone.context.close();
  }
  console.log("browser: unread ok");
} finally {
  await browser.close();
}
