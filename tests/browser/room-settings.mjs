// Room settings, in real headless Chromium. English, desktop: the owner renames the room,
// sets a topic, makes it private, locks it, keeps messages 30 days, sees and renews the
// invite code, mutes one member and removes another; header and sidebar follow. Persian,
// right-to-left: an owner on a phone sees the public room's invite link, and deletes her
// room by typing its name; a plain member gets the room's details and leaves.
// Usage: node room-settings.mjs <base url> <en room> <fa room> <en token> <fa token> <screenshot dir>
import { DESKTOP, PHONE, check, launch, openRoom } from "./lib.mjs";

const [base, enRoom, faRoom, enToken, faToken, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node room-settings.mjs <base url> <en room> <fa room> <en token> <fa token> <screenshot dir>");
  process.exit(2);
}

const browser = await launch();
try {
  // English, desktop: alice owns the room.
  {
    const { context, page, errors } = await openRoom(browser, { base, token: enToken, lang: "en", room: enRoom });
    await page.waitForSelector("#member-list .member:nth-child(4)");
    const gear = page.locator("#room-settings-button");
    check(await gear.getAttribute("aria-label") === "Room settings", "en: the gear is named");
    // The settings load on first use: when that load fails (offline, say), a toast in the
    // page's language says so, and the next click loads them.
    const settingsModule = /\/static\/chat\/room-settings\.[0-9a-f]+\.js$/;
    await page.route(settingsModule, (route) => route.abort());
    await gear.click();
    await page.locator("#toasts .toast", { hasText: "Cannot reach the server. Check your connection." }).waitFor();
    await page.unroute(settingsModule);
    await gear.click();
    const dialog = page.locator("#room-settings-dialog");
    await dialog.waitFor();
    check(await dialog.locator("#room-invite-link").textContent() === `${base}/#join=${enRoom}`, "en: a public room has an invite link");
    await page.screenshot({ path: `${shots}/room-settings-en.png` });
    await dialog.locator("#room-settings-name").fill("Tea house");
    await dialog.locator("#room-settings-topic").fill("Green tea only");
    await dialog.locator('#room-settings-visibility input[value="private"]').check();
    await dialog.locator("#room-settings-locked").check();
    await dialog.locator("#room-retention").selectOption("30");
    await dialog.locator('button[type="submit"]').click();
    await dialog.waitFor({ state: "detached" });
    // Header and sidebar follow the answer.
    await page.waitForFunction(() => document.getElementById("room-name").textContent === "Tea house");
    check(await page.locator("#room-topic").textContent() === "Green tea only", "en: the header shows the topic");
    check((await page.locator("#room-meta").textContent()).includes("Read-only"), "en: and that it is read-only");
    await page.locator("#room-list li", { hasText: "Tea house" }).waitFor();

    // Private now: the invite code, renewed on request.
    await gear.click();
    await dialog.waitFor();
    const code = dialog.locator("#room-invite-code");
    const before = await code.textContent();
    check(/^[A-Z2-9]{6}$/.test(before), `en: a private room has an invite code: ${before}`);
    check(await dialog.locator("#room-invite-link").count() === 0, "en: and no public link");
    check(await dialog.locator("#room-retention").inputValue() === "30", "en: the retention is kept");
    await dialog.locator("#room-invite-rotate").click();
    await page.waitForFunction((old) => {
      const now = document.getElementById("room-invite-code")?.textContent;
      return now && now !== old;
    }, before);

    // Members: mute bob for a day, remove carol (after a confirmation).
    const row = (name) => dialog.locator(`#room-settings-members [data-username="${name}"]`);
    check(await row("alice").locator("[data-member-action]").count() === 0, "en: no actions on oneself");
    await row("bob").locator('[data-member-action="mute"]').click();
    const mute = page.locator("#mute-dialog");
    await mute.waitFor();
    await mute.locator("select").selectOption("1440");
    await mute.locator('button[type="submit"]').click();
    await mute.waitFor({ state: "detached" });
    await page.waitForSelector('#room-settings-members [data-username="bob"][data-muted="true"]');
    await row("carol").locator('[data-member-action="kick"]').click();
    const confirm = page.locator("#confirm-dialog");
    await confirm.waitFor();
    await confirm.locator('button[type="submit"]').click();
    await row("carol").waitFor({ state: "detached" });
    await page.screenshot({ path: `${shots}/room-settings-en-members.png` });
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    check(errors.length === 0, `en: no script errors: ${errors.join("; ")}`);
    await context.close();
  }

  // Persian, phone: parisa owns the other (public) room and deletes it.
  {
    const { context, page, errors } = await openRoom(browser, { base, token: faToken, lang: "fa", room: faRoom, viewport: PHONE, hasTouch: true, isMobile: true });
    check(await page.evaluate(() => document.documentElement.dir) === "rtl", "fa: right-to-left");
    await page.locator("#room-settings-button").click();
    const dialog = page.locator("#room-settings-dialog");
    await dialog.waitFor();
    check((await dialog.locator(".dialog-title").textContent()).startsWith("تنظیمات"), "fa: the title is Persian");
    check(await dialog.locator("#room-invite-link").getAttribute("dir") === "ltr", "fa: the link reads left to right");
    const box = await dialog.boundingBox();
    check(box.x >= 0 && box.x + box.width <= PHONE.width, `fa phone: the dialog fits (${box.x}, ${box.width})`);
    await page.screenshot({ path: `${shots}/room-settings-fa-phone.png` });
    await dialog.locator("#room-settings-delete").click();
    const confirm = page.locator("#room-delete-dialog");
    await confirm.waitFor();
    // A wrong name is refused in place.
    await confirm.locator("#room-delete-name").fill("اشتباه");
    await confirm.locator('button[type="submit"]').click();
    await confirm.locator(".dialog-error", { hasText: "این نام اتاق نیست" }).waitFor();
    await confirm.locator("#room-delete-name").fill("کتاب‌خانه");
    await page.screenshot({ path: `${shots}/room-delete-fa-phone.png` });
    await confirm.locator('button[type="submit"]').click();
    await confirm.waitFor({ state: "detached" });
    await page.waitForFunction((id) => !document.querySelector(`#room-list [data-room-id="${id}"]`)
      && !location.hash.includes(id), faRoom);
    check(errors.length === 0, `fa phone: no script errors: ${errors.join("; ")}`);
    await context.close();
  }

  // Persian, desktop: in alice's room parisa is a member: the details, and Leave.
  {
    const { context, page, errors } = await openRoom(browser, { base, token: faToken, lang: "fa", room: enRoom, viewport: DESKTOP });
    const gear = page.locator("#room-settings-button");
    check(await gear.getAttribute("aria-label") === "دربارهٔ این اتاق", "fa: a member's gear is About this room");
    await gear.click();
    const dialog = page.locator("#room-settings-dialog");
    await dialog.waitFor();
    check(await dialog.locator("#room-settings-topic-text").textContent() === "Green tea only", "fa: the topic is shown");
    check(await dialog.locator("#room-settings-name, #room-settings-delete, #room-settings-members").count() === 0, "fa: nothing a member may not use");
    await page.screenshot({ path: `${shots}/room-about-fa.png` });
    await dialog.locator("#room-settings-leave").click();
    const confirm = page.locator("#confirm-dialog");
    await confirm.waitFor();
    await confirm.locator('button[type="submit"]').click();
    await page.waitForFunction((id) => !location.hash.includes(id), enRoom);
    check(errors.length === 0, `fa: no script errors: ${errors.join("; ")}`);
    await context.close();
  }
  console.log("browser: room settings ok");
} finally {
  await browser.close();
}
