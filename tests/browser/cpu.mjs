// debug only: main-thread busy time until the last LCP candidate, chat load at 1x, median of N
import puppeteer from "puppeteer-core";
const [base, token, room, runs = "5", proto = "http"] = process.argv.slice(2);
const browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--ignore-certificate-errors"], headless: true });
const rows = [];
try {
  for (let r = 0; r < Number(runs); r++) {
    const ctx = await browser.createBrowserContext();
    const page = await ctx.newPage();
    await page.setViewport({ width: 412, height: 823, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true });
    await page.setCookie({ name: "anjoman_session", value: token, url: base, httpOnly: true, sameSite: "Lax" });
    await page.tracing.start({ categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "loading", "v8.execute"] });
    await page.goto(`${base}/#room=${room}`, { waitUntil: "networkidle0" });
    const ev = JSON.parse(Buffer.from(await page.tracing.stop()).toString("utf8")).traceEvents;
    const pid = ev.find(e => e.name === "ParseHTML" && e.args?.beginData?.url?.includes("#room"))?.pid;
    const t0 = ev.find(e => e.pid === pid && e.name === "navigationStart")?.ts ?? ev.find(e => e.pid === pid && e.name === "ParseHTML").ts;
    const lcp = ev.filter(e => e.pid === pid && e.name === "largestContentfulPaint::Candidate").pop();
    const mainTid = ev.find(e => e.pid === pid && e.name === "ParseHTML").tid;
    const tasks = ev.filter(e => e.pid === pid && e.tid === mainTid && e.ph === "X" && e.name === "RunTask" && e.ts >= t0 && e.ts < lcp.ts);
    const busy = tasks.reduce((s, e) => s + e.dur, 0) / 1000;
    const long = tasks.filter(e => e.dur > 12500).reduce((s, e) => s + (e.dur / 1000 - 12.5), 0);
    rows.push({ lcp: (lcp.ts - t0) / 1000, busy, long });
    await ctx.close();
  }
} finally { await browser.close(); }
const med = (k) => rows.map(r => r[k]).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
console.log(`median lcp ${med("lcp").toFixed(0)} busy ${med("busy").toFixed(0)} long>12.5 ${med("long").toFixed(0)}  |  ${rows.map(r => `${r.lcp.toFixed(0)}/${r.busy.toFixed(0)}`).join(" ")}`);
