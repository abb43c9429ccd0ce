// Persian pages render Persian in Vazirmatn, the font shipped in the binary, on every page —
// not in whatever Arabic-script font the system happens to list first. The rendered font is
// read from Chromium itself (DevTools CSS.getPlatformFontsForNode), not from the CSS text.
// Persian also means Persian digits and punctuation: the timeline's day headings in natural
// order ("چهارشنبه ۱۱ آذر ۱۴۰۵", no Latin comma), file sizes in words, not "kB", numbered
// lists and error status codes in Persian digits.
// Usage: node typography.mjs <base url> <signed-in admin token whose locale is fa-IR> <room id>
import { check, launch, STEP_MS } from "./lib.mjs";

const [base, token, room] = process.argv.slice(2);
if (!base || !token || !room) {
  console.error("usage: node typography.mjs <base url> <token> <room id>");
  process.exit(2);
}

const ARABIC_SCRIPT = /[\u0600-\u06FF]/;

/// The platform font that drew most glyphs of the first element whose own text is Persian.
async function persianFont(page) {
  const marked = await page.evaluate((source) => {
    const pattern = new RegExp(source);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!pattern.test(node.textContent) || !element || !element.checkVisibility()) continue;
      element.setAttribute("data-font-probe", "");
      return element.outerHTML.slice(0, 120);
    }
    return null;
  }, ARABIC_SCRIPT.source);
  check(marked, `${page.url()} shows Persian text`);
  await page.evaluate(() => document.fonts.ready);
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send("DOM.enable");
    await cdp.send("CSS.enable");
    const { root } = await cdp.send("DOM.getDocument", { depth: -1 });
    const { nodeId } = await cdp.send("DOM.querySelector", { nodeId: root.nodeId, selector: "[data-font-probe]" });
    const { fonts } = await cdp.send("CSS.getPlatformFontsForNode", { nodeId });
    fonts.sort((a, b) => b.glyphCount - a.glyphCount);
    return { font: fonts[0]?.familyName ?? "(none)", element: marked };
  } finally {
    await cdp.detach();
  }
}

const browser = await launch();
try {
  const failures = [];
  const visit = async (context, path) => {
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
    await page.goto(`${base}${path}`, { timeout: STEP_MS });
    check((await page.getAttribute("html", "dir")) === "rtl", `${path} is right-to-left`);
    const { font, element } = await persianFont(page);
    console.log(`${path}: ${font} (${element})`);
    if (font !== "Vazirmatn") failures.push(`${path} renders Persian in ${font}`);
    await page.close();
  };

  const visitor = await browser.newContext({ locale: "fa-IR" });
  await visitor.setExtraHTTPHeaders({ "Accept-Language": "fa-IR" });
  for (const path of ["/login", "/register", "/no-such-page"]) await visit(visitor, path);

  const member = await browser.newContext({ locale: "fa-IR" });
  await member.addCookies([{ name: "anjoman_session", value: token, url: base }]);
  for (const path of ["/settings", "/admin", "/"]) await visit(member, path);

  // Digits and punctuation.
  const page = await member.newPage();
  page.setDefaultTimeout(STEP_MS);
  await page.goto(`${base}/#room=${room}`, { timeout: STEP_MS });
  await page.locator("#timeline .attachment-size").first().waitFor();
  const day = (await page.textContent("#timeline .day-separator")).trim();
  const WEEKDAY = "(شنبه|یکشنبه|دوشنبه|سه‌شنبه|چهارشنبه|پنجشنبه|جمعه)";
  if (!new RegExp(`^${WEEKDAY} [۰-۹]{1,2} \\S+ [۰-۹]{4}$`).test(day)) failures.push(`the day heading reads "${day}"`);
  const size = (await page.textContent("#timeline .attachment-size")).trim();
  if (/[A-Za-z0-9]/.test(size) || !size.includes("بایت")) failures.push(`a file size reads "${size}"`);
  for (const [what, selector] of [["the time", "#timeline .message-header time"], ["the member count", "#room-meta"]]) {
    const text = (await page.textContent(selector)).trim();
    if (/[0-9,]/.test(text)) failures.push(`${what} reads "${text}"`);
  }
  await page.goto(`${base}/admin`, { timeout: STEP_MS });
  const marker = await page.$eval("ol", (list) => getComputedStyle(list).listStyleType);
  if (marker !== "persian") failures.push(`numbered lists count in ${marker}`);
  await page.goto(`${base}/no-such-page`, { timeout: STEP_MS });
  const status = (await page.textContent(".error-page .status")).trim();
  if (status !== "۴۰۴") failures.push(`the error page says "${status}"`);
  await page.close();

  check(failures.length === 0, failures.join("; "));
  console.log("browser: typography ok");
} finally {
  await browser.close();
}
