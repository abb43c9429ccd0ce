// What the page checks of tests/browser/ share: Debian's Chromium (never a downloaded
// one), a step limit generous enough for a busy machine, a failing check that says what it
// expected, and a signed-in chat page with a room open.
import zlib from "node:zlib";
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

/** A small valid PNG (a gradient), so the server can sniff it and make a thumbnail. */
export function png(width, height) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    out.write(type, 4, "latin1");
    data.copy(out, 8);
    out.writeUInt32BE(crc(out.subarray(4, 8 + data.length)), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      rows.set([40 + (x * 200) / width, 90 + (y * 120) / height, 200], y * (width * 3 + 1) + 1 + x * 3);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header), chunk("IDAT", zlib.deflateSync(rows)), chunk("IEND", Buffer.alloc(0)),
  ]);
}
