// The /admin dashboard in real headless Chromium: the page renders for a moderator,
// its one-click report action and its ban button work, and the Persian page is
// right-to-left. Usage: node admin.mjs <base url> <admin token> <target username> <screenshot dir>
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, token, target, shots] = process.argv.slice(2);
if (!base || !token || !target || !shots) {
  console.error("usage: node admin.mjs <base url> <admin token> <target username> <screenshot dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const STEP_MS = 60_000;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
try {
  const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
  // Generous: a busy machine can be ten times slower; the steps only bound a hang.
  context.setDefaultTimeout(STEP_MS);
  await context.addCookies([{ name: "anjoman_session", value: token, url: base }]);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });

  await page.goto(`${base}/admin`);
  check((await page.getAttribute("html", "dir")) === "ltr", "English page is left-to-right");
  check(await page.isVisible("text=Report queue"), "report queue shown");
  check((await page.locator("[data-report]").count()) === 1, "one open report");
  check((await page.locator("svg rect").count()) === 30, "thirty bars in the chart");
  await page.screenshot({ path: `${shots}/admin-en.png`, fullPage: true });

  // One click dismisses the report; the page reloads without it.
  await Promise.all([
    page.waitForNavigation(),
    page.click('button[data-action="report"][data-remedy="none"]'),
  ]);
  check((await page.locator("[data-report]").count()) === 0, "report handled");
  check(await page.isVisible("text=No open reports."), "empty queue message");

  // Ban from the users table: the prompt's answer becomes the reason.
  page.once("dialog", (dialog) => dialog.accept("spam from the browser"));
  const row = page.locator("tr", { hasText: `@${target}` });
  await Promise.all([page.waitForNavigation(), row.locator('button[data-action="ban"]').click()]);
  check(await page.locator("tr", { hasText: `@${target}` }).locator("text=Banned").isVisible(), "user shown as banned");
  check(await page.isVisible("text=user.ban"), "ban in the audit log");
  check(errors.length === 0, `no script errors: ${errors.join("; ")}`);

  // Persian: right-to-left, Persian words and digits; also at phone width.
  const fa = await browser.newContext({ locale: "fa-IR", viewport: { width: 390, height: 844 } });
  fa.setDefaultTimeout(STEP_MS);
  await fa.addCookies([{ name: "anjoman_session", value: token, url: base }]);
  const faPage = await fa.newPage();
  await faPage.setExtraHTTPHeaders({ "Accept-Language": "fa-IR" });
  await faPage.goto(`${base}/admin`);
  check((await faPage.getAttribute("html", "dir")) === "rtl", "Persian page is right-to-left");
  check(await faPage.isVisible("text=صف گزارش‌ها"), "Persian headings");
  await faPage.screenshot({ path: `${shots}/admin-fa-mobile.png`, fullPage: true });
  console.log("browser: admin dashboard ok");
} finally {
  await browser.close();
}
