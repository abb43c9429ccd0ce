// The /admin dashboard in real headless Chromium: the page renders for a moderator,
// its one-click report action and its ban button work, and the Persian page is
// right-to-left. Also: a signed-out visit signs in and comes back; a link leads back to the
// chat; the chart has count and date axes in the page's language and calendar; an empty
// audit log says so; on a phone the users table is one card per person with every action
// within reach.
// Usage: node admin.mjs <base url> <admin token> <target username> <screenshot dir> <admin username> <admin password>
import { check, launch } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const [base, token, target, shots, adminName, adminPassword] = process.argv.slice(2);
if (!base || !token || !target || !shots || !adminName || !adminPassword) {
  console.error("usage: node admin.mjs <base url> <admin token> <target username> <screenshot dir> <admin username> <admin password>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const STEP_MS = 60_000;

const browser = await launch();
try {
  // Signed out: /admin leads to the sign-in form, which leads back to /admin.
  const visitor = await browser.newContext({ locale: "en-US" });
  const signIn = await visitor.newPage();
  await signIn.goto(`${base}/admin`);
  check(new URL(signIn.url()).pathname === "/login", `signed out, /admin asks to sign in (${signIn.url()})`);
  await signIn.fill("#username", adminName);
  await signIn.fill("#password", adminPassword);
  await Promise.all([signIn.waitForURL(`${base}/admin`), signIn.click('button[type="submit"]')]);
  check(await signIn.isVisible("text=Report queue"), "signed in, back on the dashboard");
  await visitor.close();

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
  const axis = await page.$$eval(".admin-chart text", (labels) => labels.map((l) => [l.dataset.date || "", l.textContent.trim()]));
  const dates = axis.filter(([date]) => date).map(([, text]) => text);
  const counts = axis.filter(([date]) => !date).map(([, text]) => text);
  check(dates.length === 3 && dates.every((d) => /^[A-Z][a-z]{2} \d{1,2}$/.test(d)), `date axis in English: ${dates.join(" | ")}`);
  check(counts.length === 2 && counts.every((c) => /^\d+$/.test(c)), `count axis: ${counts.join(" | ")}`);
  // Nothing was audited yet: the log says so instead of showing an empty table.
  check(await page.locator(".admin-audit").count() === 0, "no empty audit table");
  check(await page.isVisible("text=Nothing has been logged yet."), "the empty audit log says so");
  // The way back to the chat.
  await Promise.all([page.waitForURL(`${base}/`), page.click(".admin-nav a")]);
  await page.waitForSelector('#chat[data-ready="true"]');
  await page.goto(`${base}/admin`);
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
  const faAxis = await faPage.$$eval(".admin-chart text", (labels) => labels.map((l) => l.textContent.trim()));
  check(faAxis.length === 5 && faAxis.every((text) => /[۰-۹]/.test(text) && !/[0-9A-Za-z]/.test(text)), `Persian axes: ${faAxis.join(" | ")}`);
  check(await faPage.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "the phone page keeps its width");
  const rows = faPage.locator(".admin-users tbody tr");
  check(await rows.count() >= 3, "one card per person");
  const reach = await faPage.$$eval(".admin-users button, .admin-users select", (controls) => controls.map((c) => {
    const box = c.getBoundingClientRect();
    return { left: box.left, right: box.right, height: box.height };
  }));
  check(reach.every((b) => b.left >= 0 && b.right <= 390 && b.height >= 44), `every action is on screen and big enough to tap: ${JSON.stringify(reach.slice(0, 3))}`);
  const label = await faPage.$eval(".admin-users td", (cell) => getComputedStyle(cell, "::before").content);
  check(label.includes("کاربر"), `each cell says what it is (${label})`);
  await faPage.screenshot({ path: `${shots}/admin-fa-mobile.png`, fullPage: true });
  console.log("browser: admin dashboard ok");
} finally {
  await browser.close();
}
