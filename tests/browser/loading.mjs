// Loading is not emptiness, in real headless Chromium on a throttled network (DevTools
// network conditions): until the room list answers, the sidebar and the main area show
// skeletons, never "No rooms yet" or the welcome; if the list fails, an error with a retry
// that then loads it. The room list's answer is held by the test until the loading state
// has been checked, so nothing depends on how fast the machine is. English and Persian.
// Usage: node loading.mjs <base url> <en token> <fa token> <screenshot dir>
import { check, DESKTOP, launch, STEP_MS } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const [base, enToken, faToken, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node loading.mjs <base url> <en token> <fa token> <screenshot dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const WORDS = {
  en: { empty: "No rooms yet.", welcome: "Welcome to Anjoman", retry: "Try again" },
  fa: { empty: "هنوز در هیچ اتاقی نیستید.", welcome: "به انجمن خوش آمدید", retry: "دوباره تلاش کنید" },
};
const ROOMS = "**/api/v1/rooms";

async function slowPage(browser, lang, token) {
  const context = await browser.newContext({ locale: lang === "fa" ? "fa-IR" : "en-US", viewport: DESKTOP });
  await context.addCookies([{ name: "anjoman_session", value: token, url: base }]);
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency: 300, downloadThroughput: 200 * 1024, uploadThroughput: 100 * 1024,
  });
  return { context, page };
}

async function saysNothingYet(page, lang, what) {
  const words = WORDS[lang];
  check(!(await page.isVisible("#empty-state")), `${lang}: no welcome ${what}`);
  for (const text of [words.empty, words.welcome]) {
    check(await page.getByText(text).count() === 0 || !(await page.getByText(text).first().isVisible()), `${lang}: "${text}" is not shown ${what}`);
  }
}

const browser = await launch();
try {
  for (const [lang, token] of [["en", enToken], ["fa", faToken]]) {
    // Slow: skeletons until the held answer is let go.
    const { context, page } = await slowPage(browser, lang, token);
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route(ROOMS, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${base}/`);
    await page.waitForSelector('#chat[data-rooms="loading"] #room-list .room-skeleton');
    check(await page.isVisible("#rooms-loading .skeleton-title"), `${lang}: the main area shows a skeleton`);
    await saysNothingYet(page, lang, "while loading");
    await page.screenshot({ path: `${shots}/loading-${lang}.png` });
    release();
    await page.waitForSelector('#chat[data-rooms="loaded"] #room-list [data-room-id]');
    check(await page.locator(".room-skeleton").count() === 0, `${lang}: the skeletons go once the rooms are in`);
    await context.close();

    // Failed: the error and a retry, which then loads the list.
    // Every ask fails until the failure has been looked at: once its socket is up the page
    // asks again by itself, and an answer that came through then would make the "failed"
    // state a race with this check.
    const failing = await slowPage(browser, lang, token);
    let down = true;
    await failing.page.route(ROOMS, (route) => (down ? route.fulfill({
      status: 503,
      contentType: "application/problem+json",
      headers: { "retry-after": "5" },
      body: JSON.stringify({ type: "about:blank", title: "Service Unavailable", status: 503, code: "service.unavailable", detail: "…" }),
    }) : route.continue()));
    await failing.page.goto(`${base}/`);
    await failing.page.waitForSelector('#chat[data-rooms="failed"]');
    check(await failing.page.isVisible("#rooms-failed"), `${lang}: the failure is said`);
    await saysNothingYet(failing.page, lang, "after a failure");
    const retry = failing.page.locator("#rooms-retry");
    check((await retry.textContent()).trim() === WORDS[lang].retry, `${lang}: the retry button reads "${WORDS[lang].retry}"`);
    down = false;
    await retry.click();
    await failing.page.waitForSelector('#chat[data-rooms="loaded"] #room-list [data-room-id]');
    await failing.context.close();
  }
  // The first answers are asked for while the modules are still on their way (early.js):
  // with one of the chat's modules held back, the room list and the open room's history
  // are requested all the same, and the timeline then uses those answers, asking no twice.
  {
    const { context, page } = await slowPage(browser, "en", enToken);
    await page.goto(`${base}/`);
    const roomId = await page.locator("#room-list [data-room-id]").first().getAttribute("data-room-id");
    await context.close();

    const early = await slowPage(browser, "en", enToken);
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    // The entry's shared chunks (web/bundle.mjs) hold the timeline and the rest.
    await early.page.route("**/static/chat/shared-*.js", async (route) => {
      await held;
      await route.continue();
    });
    const asked = [];
    early.page.on("request", (request) => asked.push(new URL(request.url()).pathname));
    const history = `/api/v1/rooms/${roomId}/messages`;
    const rooms = early.page.waitForRequest((r) => new URL(r.url()).pathname === "/api/v1/rooms");
    const messages = early.page.waitForRequest((r) => new URL(r.url()).pathname === history);
    await early.page.goto(`${base}/#room=${roomId}`, { waitUntil: "commit" });
    await Promise.all([rooms, messages]);
    check(await early.page.locator("#chat[data-ready]").count() === 0, "the room list and history are asked for before the page's modules have all arrived");
    release();
    await early.page.waitForSelector(`#chat[data-ready="true"][data-view="room"]`);
    check(asked.filter((path) => path === history).length === 1, `the history is asked for once, not again by the timeline (${asked.filter((path) => path === history).length})`);
    await early.context.close();
  }
  console.log("browser: loading ok");
} finally {
  await browser.close();
}
