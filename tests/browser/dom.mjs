import puppeteer from "puppeteer-core";
const [base, token, room] = process.argv.slice(2);
const browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"], headless: true });
const page = await browser.newPage();
await page.setViewport({ width: 412, height: 823, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true });
await page.setCookie({ name: "anjoman_session", value: token, url: base, httpOnly: true, sameSite: "Lax" });
await page.goto(`${base}/#room=${room}`, { waitUntil: "networkidle0" });
console.log(await page.evaluate(() => {
  const all = document.querySelectorAll("*").length;
  const tl = document.querySelectorAll("#timeline *").length;
  const m = document.querySelector(".message:last-of-type") || document.querySelectorAll(".message")[3];
  const msgs = document.querySelectorAll(".message").length;
  return JSON.stringify({ all, tl, msgs, perMessage: m.querySelectorAll("*").length + 1, html: m.outerHTML });
}));
await browser.close();
