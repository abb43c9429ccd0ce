// debug only: timeline trace of the chat load; long style/layout/paint events with args
import puppeteer from "puppeteer-core";
const [base, token, room, rate = "1"] = process.argv.slice(2);
const browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"], headless: true });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 412, height: 823, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true });
  await page.setCookie({ name: "anjoman_session", value: token, url: base, httpOnly: true, sameSite: "Lax" });
  await page.tracing.start({ categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink", "loading", "v8.execute", "disabled-by-default-devtools.timeline.stack"] });
  await page.goto(`${base}/#room=${room}`, { waitUntil: "networkidle0" });
  const buf = await page.tracing.stop();
  const ev = JSON.parse(Buffer.from(buf).toString("utf8")).traceEvents;
  const pid = ev.find(e => e.name === "ParseHTML" && e.args?.beginData?.url?.includes("#room"))?.pid; console.log("pid", pid);
  const nav = ev.find(e => e.name === "navigationStart" || e.name === "NavigationStart" );
  const t0 = nav ? nav.ts : Math.min(...ev.filter(e=>e.ts>0).map(e=>e.ts));
  for (const e of ev.filter(e => e.pid === pid && e.ph === "X" && e.dur > 1000 && /UpdateLayoutTree|Layout|Paint|RecalculateStyles|FunctionCall|EvaluateScript|v8.evaluateModule|ParseHTML|Commit|RasterTask|Decode|FontLoad|Font/.test(e.name)).sort((a,b)=>a.ts-b.ts)) {
    const a = e.args?.beginData ?? e.args?.data ?? {};
    console.log(((e.ts - t0) / 1000).toFixed(0).padStart(6), (e.dur / 1000).toFixed(1).padStart(6), e.name, JSON.stringify({ el: a.elementCount ?? e.args?.elementCount, dirty: a.dirtyObjects, total: a.totalObjects, partial: a.partialLayout, fn: a.functionName, url: a.url?.split("/").pop(), stack: a.stackTrace?.[0]?.functionName }));
  }
} finally { await browser.close(); }
