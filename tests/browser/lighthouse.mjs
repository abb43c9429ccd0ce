// Lighthouse (pinned in package.json) in Debian's Chromium on /login and the signed-in
// chat page, mobile (Lighthouse's default: simulated slow 4G and a 4x slower CPU) and
// desktop, for performance, accessibility and best practices. Prints every score and the
// page's transferred bytes, saves each report under `reportDir`, and fails below `target`
// naming the audits that cost points.
//
// Each page and form factor runs RUNS times (LIGHTHOUSE_RUNS, default 3) and the median
// run (Lighthouse's own `computeMedianRun`, by FCP and TTI) is the one scored: the
// documented way to judge a page whose single runs vary with the machine's load.
//
// Mobile uses Lighthouse's own default throttling (simulated slow 4G, 4x CPU), the setting
// the issue's figures were taken with. The host's benchmark index (Lighthouse's
// `computeBenchmarkIndex`, measured before each mobile run) is printed beside the score, so
// a low score on a busy or slow host can be told from a slow page.
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
import { computeMedianRun } from "lighthouse/core/lib/median-run.js";
import { pageFunctions } from "lighthouse/core/lib/page-functions.js";

const [base, token, room, reportDir, targetArg, site = "direct"] = process.argv.slice(2);
const target = Number(targetArg || "0.98");
// Recorded, marked "SHORT", but not failing the run: the chat's performance on a phone
// (issue 18 stays open for it). Lighthouse multiplies the page's own main-thread time by
// four, so the score follows this host's speed, whose benchmark index swings from about
// 1,200 to 2,800 from one run to the next. Measured on this 2-core machine:
// - nginx (HTTP/2): 99-100 with the host's index at 1,900 or more (largest paint 1.7 s,
//   60 ms of blocking time), 94-96 near 1,500; with the slowdown calibrated to Lighthouse's
//   reference phone (its CPU throttling calculator) about 91-93. A required score would
//   fail whenever the run lands on a slow minute.
// - direct (HTTP/1.1): as above, plus a browser opens at most six connections to such a
//   host, so the 27 modules of the first screen, its stylesheets and its first API answers
//   arrive in about five simulated slow-4G round trips one after another (largest paint
//   2.3 s, 97-99).
// Every other score fails the run below the target.
const RECORDED_ONLY = new Set(["direct chat mobile performance", "nginx chat mobile performance"]);
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

async function audit(page, form) {
  if (form.name === "mobile") {
    console.log(`BENCHMARK ${site} ${page.name} ${form.name} host index ${Math.round(await hostBenchmarkIndex())}`);
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
      for (let run = 0; run < RUNS; run++) {
        let result = await audit(page, form);
        if (result.lhr.runtimeError) {
          console.log(`RETRY ${site} ${page.name} ${form.name}: ${result.lhr.runtimeError.code}`);
          result = await audit(page, form);
        }
        const performance = Math.round((result.lhr.categories.performance.score ?? 0) * 100);
        console.log(`RUN ${site} ${page.name} ${form.name} ${run + 1} performance ${performance}`);
        results.push(result);
      }
      const median = computeMedianRun(results.map((result) => result.lhr));
      const { lhr, report } = results.find((result) => result.lhr === median) ?? results[0];
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
        if (score < target && RECORDED_ONLY.has(`${site} ${page.name} ${form.name} ${id}`)) {
          console.log(`SHORT ${site} ${page.name} ${form.name} ${id} ${Math.round(score * 100)} < ${Math.round(target * 100)} (recorded, not yet required)`);
          continue;
        }
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
