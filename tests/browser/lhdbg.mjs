// debug only (not committed): one Lighthouse mobile run of the chat, trace analysis
import { writeFileSync } from "node:fs";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";
const [base, token, room, out = "/tmp/lhsrv/run", mode = "mobile"] = process.argv.slice(2);
const chrome = await chromeLauncher.launch({ chromePath: "/usr/bin/chromium", chromeFlags: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--ignore-certificate-errors"] });
try {
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
  const tab = await browser.newPage();
  await tab.setCookie({ name: "anjoman_session", value: token, url: base, httpOnly: true, sameSite: "Lax" });
  const cfg = mode === "cpu1" ? { extends: "lighthouse:default", settings: { throttling: { cpuSlowdownMultiplier: 1, rttMs: 150, throughputKbps: 1638.4, requestLatencyMs: 562.5, downloadThroughputKbps: 1474.56, uploadThroughputKbps: 675 } } } : undefined;
  const result = await lighthouse(room === "-" ? base : `${base}/#room=${room}`, { port: chrome.port, output: "json", logLevel: "error", onlyCategories: ["performance"] }, cfg, tab);
  writeFileSync(`${out}.json`, result.report);
  const trace = result.artifacts.Trace ?? result.artifacts.traces?.defaultPass;
  writeFileSync(`${out}.trace.json`, JSON.stringify(trace));
  await browser.disconnect();
} finally { await chrome.kill(); }
