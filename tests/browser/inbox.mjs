// The inbox in real headless Chromium, English and Persian, desktop and phone. A mention
// made before the page opened is counted at once; a reply and a direct message arrive live
// (badge, tab title and favicon count up, in the page's digits); the panel lists them
// newest first with their kinds; "Mark all as read" clears both tabs of the user (the
// second follows by `notification.read`); opening a new mention goes to the room and reads
// it in both. With the tab hidden, a direct message shows a system notification; reading
// that conversation in the second tab reads it in the first. Without permission the panel
// offers the button that asks for it. The room header's bell sets the room to Nothing and
// mutes it for an hour: "@here" then asks nothing of the reader, a mention still arrives.
// A mailed link (`#room=…&message=…&seq=…`) followed in an open tab opens the room at it.
// Usage: node inbox.mjs <base> <start room> <lobby> <bob token> <shots> (<lang> <token> <username> <own message id>)...
import { check, launch, openRoom, PHONE, spyOnNotifications } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const [base, start, lobby, bob, shots, ...readers] = process.argv.slice(2);
if (!shots || readers.length % 4 !== 0) {
  console.error("usage: node inbox.mjs <base> <start room> <lobby> <bob token> <shots> (<lang> <token> <username> <own message id>)...");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const plain = (text) => (text || "").replace(/[\u2068\u2069\u200e\u200f]/g, "").trim();
const digits = (n, lang) => (lang === "fa" ? String(n).replace(/\d/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]) : String(n));

async function asBob(path, body) {
  const resp = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${bob}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  check(resp.ok, `bob: POST ${path} (${resp.status})`);
  return resp.status === 204 ? null : resp.json();
}

async function badge(page, lang, count) {
  await page.waitForFunction(([want]) => {
    const el = document.querySelector("#inbox-badge");
    return want === "0" ? el.hidden : !el.hidden && el.textContent.replace(/[\u2068\u2069]/g, "") === want;
  }, [count === 0 ? "0" : digits(count, lang)]);
}

const browser = await launch();
try {
  for (let i = 0; i < readers.length; i += 4) {
    const [lang, token, username, ownMessage] = readers.slice(i, i + 4);
    const { context, page, errors } = await openRoom(browser, { base, token, lang, room: start, init: spyOnNotifications, permissions: ["notifications"] });
    await page.waitForSelector('#chat[data-view="room"]');

    // The mention made before the page opened.
    await badge(page, lang, 1);
    check(plain(await page.title()).startsWith(`(${digits(1, lang)})`), `${lang}: the title counts one ("${await page.title()}")`);
    await page.waitForFunction(() => document.querySelector("link[rel=icon]").dataset.count === "1");
    check((await page.getAttribute("link[rel=icon]", "href")).startsWith("data:image/png"), `${lang}: the favicon is drawn`);

    // A second tab of the same user.
    const second = await context.newPage();
    second.setDefaultTimeout(60_000);
    await second.goto(`${base}/#room=${start}`);
    await badge(second, lang, 1);

    // Live: a reply to my message, then a direct message.
    await asBob(`/api/v1/rooms/${lobby}/messages`, { body: `answer for ${username}`, reply_to: ownMessage });
    await badge(page, lang, 2);
    const dm = await asBob(`/api/v1/dm/${username}`);
    const privateMessage = await asBob(`/api/v1/rooms/${dm.id}/messages`, { body: `private to ${username}` });
    await badge(page, lang, 3);
    await badge(second, lang, 3);
    check(plain(await page.getAttribute("#inbox-button", "aria-label")).includes(digits(3, lang)), `${lang}: the button's name counts three`);

    // The panel: newest first, with their kinds.
    await page.click("#inbox-button");
    await page.waitForSelector("#inbox:not([hidden]) .inbox-item");
    const items = await page.$$eval("#inbox-list .inbox-item", (els) => els.map((el) => ({
      kind: el.dataset.kind, unread: el.classList.contains("inbox-unread"), label: el.querySelector(".inbox-kind").textContent,
      text: el.querySelector(".inbox-text").textContent,
    })));
    check(items.map((n) => n.kind).join() === "direct,reply,mention", `${lang}: newest first (${JSON.stringify(items)})`);
    check(items.every((n) => n.unread), `${lang}: all three are unread`);
    check(items[0].label === (lang === "fa" ? "پیام خصوصی" : "Direct message"), `${lang}: the kind is named ("${items[0].label}")`);
    check(items[1].text.includes(`answer for ${username}`), `${lang}: the reply's words show ("${items[1].text}")`);
    if (lang === "fa") {
      check(await page.evaluate(() => getComputedStyle(document.querySelector("#inbox")).direction) === "rtl", "fa: the panel is right-to-left");
    }
    const box = await page.evaluate(() => {
      const r = document.querySelector("#inbox").getBoundingClientRect();
      return { left: r.left, right: r.right, width: innerWidth };
    });
    check(box.left >= 0 && box.right <= box.width, `${lang}: the panel stays on the page (${JSON.stringify(box)})`);
    await page.screenshot({ path: `${shots}/inbox-${lang}.png` });

    // Mark all as read: both tabs clear, the title loses its count.
    await page.click("#inbox-read-all");
    await badge(page, lang, 0);
    await badge(second, lang, 0);
    check(!plain(await page.title()).startsWith("("), `${lang}: the title has no count ("${await page.title()}")`);
    check(await page.locator("#inbox-list .inbox-unread").count() === 0, `${lang}: nothing is marked unread`);
    await page.check("#inbox-unread-only");
    await page.waitForSelector("#inbox-empty:not([hidden])");
    await page.uncheck("#inbox-unread-only");

    // A new mention: opening it goes to the lobby at the message and reads it in both tabs.
    await asBob(`/api/v1/rooms/${lobby}/messages`, { body: `@${username} once more` });
    await badge(page, lang, 1);
    await badge(second, lang, 1);
    await page.waitForSelector('#inbox-list .inbox-unread[data-kind="mention"]');
    await page.click('#inbox-list .inbox-unread[data-kind="mention"] .inbox-open');
    await page.waitForFunction((id) => location.hash === `#room=${id}`, lobby);
    await page.waitForSelector(`#timeline >> text=once more`);
    check(await page.locator("#inbox").isHidden(), `${lang}: the panel closed`);
    await badge(page, lang, 0);
    await badge(second, lang, 0);

    // Hidden: a direct message shows a system notification with its kind and words.
    await page.click(`#sidebar [data-room-id="${start}"]`);
    await page.waitForFunction((id) => location.hash === `#room=${id}`, start);
    await page.evaluate(() => window.__hide());
    const before = await page.evaluate(() => window.__notifications.length);
    await asBob(`/api/v1/rooms/${dm.id}/messages`, { body: `while away ${username}` });
    await page.waitForFunction((n) => window.__notifications.length > n, before);
    const shown = await page.evaluate(() => window.__notifications.at(-1));
    check(plain(shown.title) === (lang === "fa" ? "پیام خصوصی" : "Direct message") && shown.body.includes(`while away ${username}`),
      `${lang}: the system notification names the kind and shows the words (${JSON.stringify(shown)})`);
    check(shown.tag === `anjoman-room-${dm.id}`, `${lang}: one tag per room (${shown.tag})`);
    await badge(second, lang, 1);

    await page.evaluate(() => window.__show());

    // Reading the direct conversation (in the second tab) reads it in the first too.
    await second.click(`#sidebar [data-room-id="${dm.id}"]`);
    await second.waitForSelector(`#timeline >> text=while away ${username}`);
    await badge(second, lang, 0);
    await badge(page, lang, 0);
    // The lobby's own setting: nothing, muted for an hour. "@here" then asks nothing of me,
    // a mention of me still lands in the inbox (silently); back to my default after.
    await page.click(`#sidebar [data-room-id="${lobby}"]`);
    await page.waitForFunction((id) => location.hash === `#room=${id}`, lobby);
    await page.click("#room-notify-button");
    await page.waitForSelector("#room-notify-dialog[open]");
    check(await page.isChecked('#room-notify-dialog input[name="level"][value="default"]'), `${lang}: the room follows my default`);
    await page.check('#room-notify-dialog input[name="level"][value="nothing"]');
    await page.check('#room-notify-dialog input[name="mute"][value="1"]');
    await page.screenshot({ path: `${shots}/room-notify-${lang}.png` });
    await page.click('#room-notify-dialog button[type="submit"]');
    await page.waitForSelector("#room-notify-dialog", { state: "detached" });
    await page.waitForSelector("#room-notify-button.is-muted");
    const label = await page.getAttribute("#room-notify-button", "aria-label");
    check(label === (lang === "fa" ? "اعلان‌های این اتاق: بی‌صدا" : "Notifications for this room: muted"), `${lang}: the bell says muted ("${label}")`);
    const saved = await page.evaluate(async (id) => (await (await fetch("/api/v1/notifications/rooms")).json()).find((r) => r.room_id === id), lobby);
    check(saved?.level === "nothing" && saved.muted && !saved.muted_forever, `${lang}: the server keeps it (${JSON.stringify(saved)})`);
    const newest = async () => page.evaluate(async () => (await (await fetch("/api/v1/notifications?limit=1")).json()).items[0]?.message.body);
    // "@here" (the reader is online; the other reader, offline, is not asked either).
    await asBob(`/api/v1/rooms/${lobby}/messages`, { body: `@here everyone ${lang}` });
    check(!(await newest()).startsWith("@here"), `${lang}: @here asks nothing of a muted reader`);
    await asBob(`/api/v1/rooms/${lobby}/messages`, { body: `@${username} still you` });
    check((await newest()) === `@${username} still you`, `${lang}: a mention still reaches the inbox`);
    await page.click("#room-notify-button");
    await page.waitForSelector("#room-notify-dialog[open]");
    check(await page.isChecked('#room-notify-dialog input[name="mute"][value="until"]'), `${lang}: the timed mute is shown as it is`);
    await page.check('#room-notify-dialog input[name="level"][value="default"]');
    await page.check('#room-notify-dialog input[name="mute"][value="none"]');
    await page.click('#room-notify-dialog button[type="submit"]');
    await page.waitForSelector("#room-notify-dialog", { state: "detached" });
    await page.waitForSelector("#room-notify-button:not(.is-muted)");
    const cleared = await page.evaluate(async () => (await (await fetch("/api/v1/notifications/rooms")).json()).length);
    check(cleared === 0, `${lang}: back to the default, the override is gone (${cleared})`);

    // The link a missed-activity mail or a push notification carries, followed in an open
    // tab: the room opens at the message.
    await second.evaluate((room) => { location.hash = `#room=${room}`; }, start);
    await second.waitForFunction((room) => document.querySelector(`#sidebar [data-room-id="${room}"]`)?.getAttribute("aria-current") === "page", start);
    await second.evaluate(([room, message, seq]) => {
      location.hash = `#room=${room}&message=${message}&seq=${seq}`;
    }, [dm.id, privateMessage.id, privateMessage.seq]);
    await second.waitForSelector(`.message-highlight[data-message-id="${privateMessage.id}"]`);
    check(await second.evaluate(() => document.querySelector("#chat").dataset.view) === "room", `${lang}: the link opened the conversation`);
    check(errors.length === 0, `${lang}: no script errors: ${errors.join("; ")}`);
    await context.close();

    // Without permission the panel offers to ask for it (or says it is blocked).
    const asking = await openRoom(browser, { base, token, lang, room: start, viewport: PHONE, hasTouch: true, isMobile: true });
    await asking.page.tap("#inbox-button");
    await asking.page.waitForSelector("#inbox:not([hidden])");
    const permission = await asking.page.evaluate(() => Notification.permission);
    check(await asking.page.locator("#inbox-permission").isVisible(), `${lang} phone: the permission row shows (${permission})`);
    if (permission === "default") check(await asking.page.locator("#inbox-permission-ask").isVisible(), `${lang} phone: the ask button shows`);
    const phoneBox = await asking.page.evaluate(() => {
      const r = document.querySelector("#inbox").getBoundingClientRect();
      return { left: r.left, right: r.right, width: innerWidth };
    });
    check(phoneBox.left >= 0 && phoneBox.right <= phoneBox.width, `${lang} phone: the panel fits (${JSON.stringify(phoneBox)})`);
    await asking.page.screenshot({ path: `${shots}/inbox-${lang}-mobile.png` });
    await asking.page.keyboard.press("Escape");
    await asking.page.waitForSelector("#inbox", { state: "hidden" });
    check(asking.errors.length === 0, `${lang} phone: no script errors: ${asking.errors.join("; ")}`);
    await asking.context.close();
  }
  console.log("browser: inbox ok");
} finally {
  await browser.close();
}
