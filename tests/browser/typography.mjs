// Persian pages render Persian in Vazirmatn, the font shipped in the binary, on every page —
// not in whatever Arabic-script font the system happens to list first. The rendered font is
// read from Chromium itself (DevTools CSS.getPlatformFontsForNode), not from the CSS text.
// Usage: node typography.mjs <base url> <signed-in admin token whose locale is fa-IR>
import { chromium } from "playwright-core";

const [base, token] = process.argv.slice(2);
if (!base || !token) {
  console.error("usage: node typography.mjs <base url> <token>");
  process.exit(2);
}

const STEP_MS = 60_000;
const ARABIC_SCRIPT = /[\u0600-\u06FF]/;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

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

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
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

  check(failures.length === 0, failures.join("; "));
  console.log("browser: typography ok");
} finally {
  await browser.close();
}
