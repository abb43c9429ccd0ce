// What the page checks of tests/browser/ share: Debian's Chromium (never a downloaded
// one), a step limit generous enough for a busy machine, a failing check that says what it
// expected, and a signed-in chat page with a room open.
import { chromium } from "playwright-core";

export const STEP_MS = 60_000;
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/**
 * A new browser context signed in with `token`, in `lang` ("en" or "fa"), with `room` open.
 * `options` go to the context (viewport, hasTouch, …). Script errors are collected.
 */
export async function openRoom(browser, { base, token, lang, room, viewport = DESKTOP, init = null, permissions = null, ...options }) {
  const context = await browser.newContext({ locale: lang === "fa" ? "fa-IR" : "en-US", viewport, ...options });
  // `init` runs in every page before the page's own scripts (a spy, say).
  if (init) await context.addInitScript(init);
  if (permissions) await context.grantPermissions(permissions, { origin: base });
  await context.addCookies([{ name: "anjoman_session", value: token, url: base }]);
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(`${base}/#room=${room}`);
  await page.waitForSelector('#chat[data-view="room"]');
  // Text is measured in its own font: the room can be on screen before Vazirmatn arrives.
  await page.evaluate(() => document.fonts.ready);
  return { context, page, errors };
}

/**
 * An init script (for `openRoom`'s `init`): records the page's system notifications in
 * `window.__notifications` (the product decides when and with what tag), and lets a test
 * say the tab is hidden (`__hide()`) or shown again (`__show()`).
 */
export function spyOnNotifications() {
  const Real = window.Notification;
  window.__notifications = [];
  window.Notification = class extends Real {
    static get permission() {
      return Real.permission;
    }
    constructor(title, options = {}) {
      window.__notifications.push({ title, body: options.body, tag: options.tag });
      super(title, options);
    }
  };
  window.__hide = () => Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
  window.__show = () => delete document.visibilityState;
}
