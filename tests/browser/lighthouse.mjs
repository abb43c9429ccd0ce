// Lighthouse (pinned in package.json) in Debian's Chromium on /login and the signed-in
// chat page, mobile (Lighthouse's default: simulated slow 4G and a 4x slower CPU) and
// desktop, for performance, accessibility and best practices. Prints every score and the
// page's transferred bytes, saves each report under `reportDir`, and fails below `target`
// naming the audits that cost points.
//
// Each page and form factor runs RUNS times (LIGHTHOUSE_RUNS, default 3; the chat on a
// phone at least 5), and the run with the median performance score is the one judged and
// saved: a page whose single runs vary with the machine's load is judged by its typical
// run, not its best or its worst.

// Mobile uses Lighthouse's own simulated slow 4G, and a CPU slowdown calibrated to the host
// (Lighthouse's advice for hosts that are not its reference desktop): the host's benchmark
// index (`computeBenchmarkIndex`, measured right before each mobile run) sets the
// multiplier, 4x (the default the issue's figures were taken with) on this machine when it
// is quiet (index about 2,700), less when other work slows it, more on a faster host. So
// the emulated phone is the same phone whatever else the host is doing, and the score
// judges the page, not the machine's load. The index and multiplier are printed with
// every mobile run.
//
// SITE names what is measured: "nginx" (README's nginx config in front: HTTPS with the
// test's self-signed certificate, HTTP/2, brotli) or "direct" (the bare server, plain
// HTTP/1.1, as `cargo run` serves it).
//
// Usage: node lighthouse.mjs BASE TOKEN ROOM REPORT_DIR TARGET SITE
import { mkdirSync, writeFileSync } from "node:fs";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import { pageFunctions } from "lighthouse/core/lib/page-functions.js";

const [base, token, room, reportDir, targetArg, site = "direct"] = process.argv.slice(2);
const target = Number(targetArg || "0.98");
// The chat on a phone moves most with the host: Lighthouse multiplies the page's own
// main-thread time by four, and this host's benchmark index swings from about 1,500 to
// 2,800 between runs. Its single runs scored 96-100 on the bare server (largest paint
// 1.8 s since the client is bundled, blocking time 60-230 ms), so it gets more runs.
const CHAT_MOBILE_RUNS = 5;
// The benchmark index at which the phone is emulated with Lighthouse's default 4x CPU
// slowdown: this 2-core machine measured 2,500-2,900 on quiet minutes, 1,300-2,300 while
// builds ran beside it.
const REFERENCE_INDEX = 2700;
const DEFAULT_SLOWDOWN = 4;
const CATEGORIES = ["performance", "accessibility", "best-practices"];
const RUNS = Number(process.env.LIGHTHOUSE_RUNS || "3");
// While working on one page: LIGHTHOUSE_ONLY="chat mobile" audits only that one (on
// each site; "direct chat mobile" on one).
const ONLY = process.env.LIGHTHOUSE_ONLY || "";

mkdirSync(reportDir, { recursive: true });
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM || "/usr/bin/chromium",
  chromeFlags: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    // nginx's certificate is the test's own, self-signed.
    ...(site === "nginx" ? ["--ignore-certificate-errors"] : []),
  ],
});

// Chromium ignores a `Cookie` among Lighthouse's extra headers, so the session cookie is
// set in the browser itself (Lighthouse clears caches between runs, never cookies).
const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
const pages = [
  { name: "login", url: `${base}/login`, signedIn: false },
  // The chat page signed in, with a room and its messages open.
  { name: "chat", url: `${base}/#room=${room}`, signedIn: true },
];
const forms = [
  { name: "mobile", config: undefined },
  { name: "desktop", config: desktopConfig },
];

async function hostBenchmarkIndex() {
  const tab = await browser.newPage();
  const index = await tab.evaluate(`(${pageFunctions.computeBenchmarkIndex.toString()})()`);
  await tab.close();
  return index;
}

/** The CPU slowdown that makes this host, at this moment, emulate the reference phone. */
function calibratedSlowdown(index) {
  const multiplier = (DEFAULT_SLOWDOWN * index) / REFERENCE_INDEX;
  return Math.round(Math.min(8, Math.max(1, multiplier)) * 10) / 10;
}

async function audit(page, form) {
  let throttling = null;
  if (form.name === "mobile") {
    const index = await hostBenchmarkIndex();
    throttling = { cpuSlowdownMultiplier: calibratedSlowdown(index) };
    console.log(`BENCHMARK ${site} ${page.name} ${form.name} host index ${Math.round(index)} cpu slowdown ${throttling.cpuSlowdownMultiplier}x`);
  }
  const tab = await browser.newPage();
  const cookie = { name: "anjoman_session", value: token, url: base, httpOnly: true, sameSite: "Lax" };
  if (page.signedIn) await tab.setCookie(cookie);
  else await tab.deleteCookie(cookie);
  const flags = {
    port: chrome.port,
    output: ["json", "html"],
    logLevel: "error",
    onlyCategories: CATEGORIES,
    ...(throttling ? { throttling } : {}),
  };
  const result = await lighthouse(page.url, flags, form.config, tab);
  await tab.close();
  if (!result) throw new Error(`lighthouse returned nothing for ${site} ${page.name} ${form.name}`);
  return result;
}

const failures = [];
try {
  for (const page of pages) {
    for (const form of forms) {
      if (ONLY && !`${site} ${page.name} ${form.name}`.endsWith(ONLY)) continue;
      // A trace that came out broken (Lighthouse's own advice: run it again) is retried
      // once; a low score never is.
      const results = [];
      const runs = page.name === "chat" && form.name === "mobile" ? Math.max(RUNS, CHAT_MOBILE_RUNS) : RUNS;
      for (let run = 0; run < runs; run++) {
        let result = await audit(page, form);
        if (result.lhr.runtimeError) {
          console.log(`RETRY ${site} ${page.name} ${form.name}: ${result.lhr.runtimeError.code}`);
          result = await audit(page, form);
        }
        const performance = Math.round((result.lhr.categories.performance.score ?? 0) * 100);
        console.log(`RUN ${site} ${page.name} ${form.name} ${run + 1} performance ${performance}`);
        results.push(result);
      }
      const performanceOf = (result) => result.lhr.categories.performance.score ?? 0;
      const ranked = [...results].sort((a, b) => performanceOf(a) - performanceOf(b));
      // The median; of an even number of runs, the lower of the two middle ones.
      const { lhr, report } = ranked[Math.floor((ranked.length - 1) / 2)];
      const stem = `${reportDir}/${page.name}-${form.name}`;
      writeFileSync(`${stem}.json`, report[0]);
      writeFileSync(`${stem}.html`, report[1]);
      if (new URL(lhr.finalDisplayedUrl).pathname !== new URL(page.url).pathname) {
        failures.push(`${site} ${page.name} ${form.name}: ended on ${lhr.finalDisplayedUrl}, not ${page.url}`);
      }
      if (lhr.runtimeError) {
        failures.push(`${site} ${page.name} ${form.name}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
      }
      const bytes = lhr.audits["total-byte-weight"]?.numericValue ?? 0;
      console.log(`BYTES ${site} ${page.name} ${form.name} ${Math.round(bytes)}`);
      for (const id of CATEGORIES) {
        const category = lhr.categories[id];
        const score = category.score ?? 0;
        console.log(`SCORE ${site} ${page.name} ${form.name} ${id} ${Math.round(score * 100)}`);
        if (score >= target) continue;
        const lost = category.auditRefs
          .filter((ref) => ref.weight > 0)
          .map((ref) => ({ ref, audit: lhr.audits[ref.id] }))
          .filter(({ audit }) => audit.score !== null && audit.score < 1)
          .map(({ ref, audit }) => `${ref.id} (score ${audit.score}, weight ${ref.weight}${audit.displayValue ? `, ${audit.displayValue}` : ""})`);
        failures.push(`${site} ${page.name} ${form.name} ${id} ${Math.round(score * 100)} < ${Math.round(target * 100)}: ${lost.join("; ")}`);
      }
      for (const metric of ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "interactive", "cumulative-layout-shift", "render-blocking-resources"]) {
        const audit = lhr.audits[metric];
        if (audit) console.log(`METRIC ${site} ${page.name} ${form.name} ${metric} ${audit.displayValue ?? ""} (${audit.score})`);
      }
    }
  }
} finally {
  await browser.disconnect();
  await chrome.kill();
}

if (failures.length) {
  console.log(`lighthouse below target:\n${failures.join("\n")}`);
  process.exit(1);
}
console.log("lighthouse ok");
