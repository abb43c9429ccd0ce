// The profile card, in real headless Chromium: a click on an author's name in the timeline
// (or on a member row) opens a card — name, @username, bio, local time with the offset to
// the viewer, online state — and creates nothing; "Message" opens the direct conversation
// only then. Moderators get Mute (done here), Kick and Ban; members get none; one's own
// card offers "Edit profile". Escape and a click outside close it, and focus goes back.
// English (desktop and phone) and Persian (right-to-left, Persian digits).
// The settings page fills an unset time zone in from the browser, to be saved.
// Usage: node profile.mjs <base url> <room id> <en token> <fa token> <screenshot dir> <token of someone with no zone>
import { DESKTOP, PHONE, STEP_MS, check, openRoom, launch } from "./lib.mjs";

const [base, room, enToken, faToken, shots, zonelessToken] = process.argv.slice(2);
if (!zonelessToken) {
  console.error("usage: node profile.mjs <base url> <room id> <en token> <fa token> <screenshot dir> <zoneless token>");
  process.exit(2);
}

const PERSIAN_DIGIT = /[۰-۹]/;
/** Text without Fluent's bidi isolation marks (U+2068, U+2069), which belong in the page. */
const plain = (text) => text.replace(/[\u2066-\u2069]/g, "");

/** The direct rooms the signed-in user has, asked of the server from the page. */
async function directRooms(page) {
  return page.evaluate(async () => {
    const rooms = await (await fetch("/api/v1/rooms", { headers: { Accept: "application/json" } })).json();
    return rooms.filter((r) => r.kind === "direct").length;
  });
}

async function focusedUsername(page) {
  return page.evaluate(() => document.activeElement?.dataset.username || document.activeElement?.dataset.profileUsername || "");
}

const browser = await launch();
try {
  // English, desktop: alice (an admin) looks at parisa, who lives in Tehran.
  {
    const { context, page, errors } = await openRoom(browser, { base, token: enToken, lang: "en", room, timezoneId: "America/New_York" });
    const name = page.locator('#timeline .message-author[data-username="parisa"]').first();
    await name.click();
    const card = page.locator("#profile-card");
    await card.waitFor();
    check(await card.locator(".profile-name").textContent() === "پریسا", "en: the card shows the display name");
    check(await card.locator(".profile-username").textContent() === "@parisa", "en: and the username");
    check((await card.locator(".profile-bio").textContent()).includes("poetry"), "en: and the bio");
    const offset = plain(await card.locator(".profile-offset").textContent());
    // New York (UTC−5 in winter, −4 in summer) against Tehran (UTC+3:30, no DST).
    check(/^(8 h 30 min|7 h 30 min) ahead of you$/.test(offset), `en: the offset to the viewer: ${offset}`);
    check(/\d{1,2}:\d{2}/.test(await card.locator(".profile-time").textContent()), "en: the local time");
    check(["online", "away", "offline"].includes(await card.locator(".profile-presence").getAttribute("data-presence")), "en: the online state");
    for (const action of ["mute", "kick", "ban"]) {
      check(await card.locator(`[data-profile-action="${action}"]`).count() === 1, `en: an admin may ${action}`);
    }
    check(await directRooms(page) === 0, "en: opening a card creates no direct conversation");
    check(await page.locator("#dm-list [data-room-id]").count() === 0, "en: and the sidebar shows none");
    await page.screenshot({ path: `${shots}/profile-card-en.png` });

    // Escape closes it and focus is back on the name.
    await page.keyboard.press("Escape");
    await card.waitFor({ state: "detached" });
    check(await focusedUsername(page) === "parisa", "en: focus returns to the name");

    // A member row opens the same card; a click outside closes it.
    await page.locator('#member-list [data-profile-username="parisa"]').click();
    await card.waitFor();
    await page.mouse.click(5, DESKTOP.height - 5);
    await card.waitFor({ state: "detached" });

    // Mute, from the card: how long, then done; the member list shows it.
    await page.locator('#member-list [data-profile-username="parisa"]').click();
    await card.locator('[data-profile-action="mute"]').click();
    const mute = page.locator("#mute-dialog");
    await mute.waitFor();
    await mute.locator("select").selectOption("60");
    await mute.locator('button[type="submit"]').click();
    await card.waitFor({ state: "detached" });
    await page.locator("#toasts .toast", { hasText: "is muted" }).waitFor();

    // "Message" is what opens the conversation.
    await name.click();
    await card.waitFor();
    await card.locator("#profile-message").click();
    await page.waitForSelector('#chat[data-room-kind="direct"]');
    check(await directRooms(page) === 1, "en: Message opens the direct conversation");
    check(errors.length === 0, `en: no script errors: ${errors.join("; ")}`);
    await context.close();
  }

  // English, phone: the card fits the narrow screen.
  {
    const { context, page, errors } = await openRoom(browser, { base, token: enToken, lang: "en", room, viewport: PHONE, hasTouch: true, isMobile: true });
    await page.locator('#timeline .message-author[data-username="parisa"]').first().click();
    const card = page.locator("#profile-card");
    await card.waitFor();
    const box = await card.boundingBox();
    check(box.x >= 0 && box.x + box.width <= PHONE.width, `en phone: the card fits the width (${box.x}, ${box.width})`);
    await page.screenshot({ path: `${shots}/profile-card-en-phone.png` });
    await page.keyboard.press("Escape");
    await card.waitFor({ state: "detached" });
    check(errors.length === 0, `en phone: no script errors: ${errors.join("; ")}`);
    await context.close();
  }

  // Persian: parisa, a member, looks at alice in New York, then at herself.
  for (const viewport of [DESKTOP, PHONE]) {
    const phone = viewport === PHONE;
    const { context, page, errors } = await openRoom(browser, { base, token: faToken, lang: "fa", room, viewport, timezoneId: "Asia/Tehran" });
    check(await page.evaluate(() => document.documentElement.dir) === "rtl", "fa: the page is right-to-left");
    await page.locator('#timeline .message-author[data-username="alice"]').first().click();
    const card = page.locator("#profile-card");
    await card.waitFor();
    check(await card.locator(".profile-username").textContent() === "@alice", "fa: the username");
    const time = await card.locator(".profile-time").textContent();
    check(PERSIAN_DIGIT.test(time), `fa: the local time in Persian digits: ${time}`);
    const offset = plain(await card.locator(".profile-offset").textContent());
    check(/^[۷۸] ساعت و ۳۰ دقیقه عقب‌تر از شما$/.test(offset), `fa: the offset in Persian: ${offset}`);
    check(await card.locator("#profile-message").textContent() === "پیام", "fa: Message, in Persian");
    check(await card.locator("[data-profile-action]").count() === 0, "fa: a member gets no moderation actions");
    await page.screenshot({ path: `${shots}/profile-card-fa${phone ? "-phone" : ""}.png` });
    await page.keyboard.press("Escape");
    await card.waitFor({ state: "detached" });

    if (!phone) {
      // One's own card: edit the profile instead of writing to oneself.
      await page.locator('#member-list [data-profile-username="parisa"]').click();
      await card.waitFor();
      check(await card.locator("#profile-message").count() === 0, "fa: no Message on one's own card");
      check(await card.locator("#profile-edit").getAttribute("href") === "/settings", "fa: Edit profile links to the settings");
      check(await card.locator("#profile-edit").textContent() === "ویرایش نمایه", "fa: in Persian");
      await page.keyboard.press("Escape");
      await card.waitFor({ state: "detached" });
    }
    check(errors.length === 0, `fa: no script errors: ${errors.join("; ")}`);
    await context.close();
  }
  // /settings: an unset zone is taken from the browser (saved only with Save); a saved one
  // is shown as it is, in either language.
  for (const [token, lang, zone, expected] of [[zonelessToken, "en", "Europe/Berlin", "Europe/Berlin"], [faToken, "fa", "Europe/Paris", "Asia/Tehran"]]) {
    const context = await browser.newContext({ locale: lang === "fa" ? "fa-IR" : "en-US", timezoneId: zone, viewport: DESKTOP });
    await context.addCookies([{ name: "anjoman_session", value: token, url: base }]);
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
    await page.goto(`${base}/settings`);
    await page.waitForFunction((want) => document.getElementById("timezone")?.value === want, expected);
    check(await page.locator("#timezone").getAttribute("dir") === "ltr", `${lang}: zone names read left to right`);
    await page.screenshot({ path: `${shots}/settings-timezone-${lang}.png`, fullPage: true });
    if (lang === "en") {
      await page.locator('form[action="/settings"] button[type="submit"]').click();
      await page.waitForURL(/saved=1/);
      check(await page.locator("#timezone").inputValue() === "Europe/Berlin", "en: the detected zone was saved");
    }
    await context.close();
  }
  console.log("browser: profile ok");
} finally {
  await browser.close();
}
