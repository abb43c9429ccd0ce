// debug only: JS CPU profile of the chat page load (self time by function)
import puppeteer from "puppeteer-core";
const [base, token, room, rate = "1"] = process.argv.slice(2);
const browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"], headless: true });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 412, height: 823, deviceScaleFactor: 1.75, isMobile: true, hasTouch: true });
  await page.setCookie({ name: "anjoman_session", value: token, url: base, httpOnly: true, sameSite: "Lax" });
  const cdp = await page.createCDPSession();
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: Number(rate) });
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  await page.goto(`${base}/#room=${room}`, { waitUntil: "networkidle0" });
  const { profile } = await cdp.send("Profiler.stop");
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas; let total = 0;
  profile.samples.forEach((id, i) => { const n = byId.get(id); const f = n.callFrame; const key = `${f.functionName || "(anon)"} ${f.url.split("/").pop()}:${f.lineNumber}`; self.set(key, (self.get(key) || 0) + dt[i]); total += dt[i]; });
  console.log("total sampled ms", (total / 1000).toFixed(0));
  // inclusive time per function
  const parent = new Map(); for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const incl = new Map();
  profile.samples.forEach((id, i) => { const seen = new Set(); for (let cur = id; cur !== undefined; cur = parent.get(cur)) { const f = byId.get(cur).callFrame; const key = `${f.functionName || "(anon)"} ${f.url.split("/").pop()}:${f.lineNumber}`; if (seen.has(key)) continue; seen.add(key); incl.set(key, (incl.get(key) || 0) + dt[i]); } });
  for (const [k, v] of [...incl.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log("incl", (v / 1000).toFixed(1).padStart(7), k);
  for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log((v / 1000).toFixed(1).padStart(7), k);
} finally { await browser.close(); }
