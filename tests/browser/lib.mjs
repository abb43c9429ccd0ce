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
export async function openRoom(browser, { base, token, lang, room, viewport = DESKTOP, ...options }) {
  const context = await browser.newContext({ locale: lang === "fa" ? "fa-IR" : "en-US", viewport, ...options });
  await context.addCookies([{ name: "anjoman_session", value: token, url: base }]);
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(`${base}/#room=${room}`);
  await page.waitForSelector('#chat[data-view="room"]');
  return { context, page, errors };
}
