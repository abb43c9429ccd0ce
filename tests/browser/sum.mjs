// debug only: sums of style/layout/paint/script in the page's renderer over the chat load, N runs
import puppeteer from "puppeteer-core";
const [base, token, room, runs = "3"] = process.argv.slice(2);
const browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"], headless: true });
try {
  for (let r = 0; r < Number(runs); r++) {
    const ctx = await browser.createBrowserContext();
    const page = await ctx.newPage();
    await page.setViewport({ width: 412, height: 823, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true });
    await page.setCookie({ name: "anjoman_session", value: token, url: base, httpOnly: true, sameSite: "Lax" });
    await page.tracing.start({ categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute"] });
    await page.goto(`${base}/#room=${room}`, { waitUntil: "networkidle0" });
    const ev = JSON.parse(Buffer.from(await page.tracing.stop()).toString("utf8")).traceEvents;
    const pid = ev.find(e => e.name === "ParseHTML" && e.args?.beginData?.url?.includes("#room"))?.pid;
    const sums = {};
    for (const e of ev) if (e.pid === pid && e.ph === "X" && ["UpdateLayoutTree", "Layout", "Paint", "v8.evaluateModule", "v8.compileModule", "FunctionCall", "RunMicrotasks", "ParseAuthorStyleSheet", "RunTask"].includes(e.name)) sums[e.name] = (sums[e.name] || 0) + e.dur / 1000;
    console.log(Object.entries(sums).map(([k, v]) => `${k}=${v.toFixed(0)}`).join(" "));
    await ctx.close();
  }
} finally { await browser.close(); }
