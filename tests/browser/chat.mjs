// The chat page end to end in real headless Chromium, against the real server binary
// (started and stopped here). Usage:
//   node tests/browser/chat.mjs <server binary> <work dir> <screenshot dir>
//
// Covers: register → create a private room → share its invite code → a second person
// joins; live message, reaction, typing line, poll vote; an XSS display name and body
// rendered as text; the Persian page (rtl, Persian text and digits); and a server crash:
// the status shows the outage, the client reconnects and resumes without loss or doubles.
//
// DOM hooks the page provides (stable; this test uses them):
//   #chat[data-ready="true"]            booted; also data-view="room|empty", data-sidebar, data-members
//   #connection-status[data-state]      connecting | connected | reconnecting | offline (role="status")
//   #toasts .toast                      notifications (aria-live)
//   #create-room-button → #create-room-dialog: #create-room-name, #create-room-topic,
//                         #create-room-public | #create-room-private, button[type=submit]
//   #join-room-button   → #join-dialog: #join-code, #public-rooms [data-join-room-id]
//   #new-dm-button      → #dm-dialog: #dm-search, #dm-results [data-dm-username]
//   #room-list, #dm-list > li > [data-room-id][data-kind] (aria-current="page" when open)
//                         .badge-unread[data-unread-count], .badge-mention[data-mentions]
//   #room-name, #room-topic, #room-meta, #room-leave-button, #members-toggle,
//   #room-invite-button → #invite-dialog #invite-code
//   #timeline (role="log") > [data-message-id][data-seq][data-author] (.message-highlight
//                         after a jump) > .message-author, time, .message-edited,
//                         .message-reply, .message-body, .attachment-image img, .attachment-file,
//                         .reaction[data-emoji][aria-pressed] .reaction-count,
//                         [data-action="react|reply|edit|delete"], .message-editor-input
//   .reaction-picker .reaction-choice[data-emoji]; #jump-latest
//   .poll[data-poll-id][data-closed] .poll-option[data-option-id][data-votes][aria-pressed], .poll-total
//   #typing[data-count]; #member-list > [data-user-id][data-presence] [data-dm-username]
//   #composer (form), #composer-input, #composer-context, #send-button, #attach-button,
//   #file-input, #upload-tray .upload[data-upload-state="uploading|done"]
//   #poll-button → #poll-dialog: #poll-question, #poll-options input, #poll-add-option, #poll-multiple
//   #search-form, #search-input, #search-scope, #search-results .search-result[data-message-id][data-room-id]
//
// CHAT_TRACE=1 prints every WebSocket frame of every page.
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { png } from "./lib.mjs";

const [binary, work, shots] = process.argv.slice(2);
if (!binary || !work || !shots) {
  console.error("usage: node chat.mjs <server binary> <work dir> <screenshot dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
mkdirSync(work, { recursive: true });
// Failure pictures of an earlier run would mislead.
for (const name of readdirSync(shots)) if (name.startsWith("chat-failure-")) rmSync(path.join(shots, name));
// A fresh database every run; only our own files are removed.
for (const name of ["anjoman.db", "anjoman.db-wal", "anjoman.db-shm", "uploads"]) {
  rmSync(path.join(work, name), { recursive: true, force: true });
}

// Generous: a busy laptop or CI machine can be ten times slower; the steps only bound a
// hang, nothing is measured against them.
const STEP_MS = 60_000;
const PASSWORD = "correct horse battery";

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
let child = null;

function startServer() {
  child = spawn(path.resolve(binary), ["serve"], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: `sqlite://${path.resolve(work)}/anjoman.db?mode=rwc`,
      ANJOMAN_UPLOADS_DIR: path.resolve(work, "uploads"),
      ANJOMAN_AUTH__ARGON2__MEMORY_KIB: "1024",
      ANJOMAN_AUTH__ARGON2__ITERATIONS: "1",
      // Everyone registers from 127.0.0.1.
      ANJOMAN_LIMITS__REGISTRATIONS_PER_WINDOW: "1000",
      RUST_LOG: "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  return child;
}

async function waitHealthy(proc) {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`);
    try {
      const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("server did not become healthy within 120 s");
}

/** Stops the server; a graceful stop that takes over 5 s becomes a kill. */
function stopServer(signal = "SIGKILL") {
  const proc = child;
  if (!proc || proc.exitCode !== null || proc.signalCode) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => proc.kill("SIGKILL"), 5000);
    proc.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    proc.kill(signal);
  });
}

// The whole run is bounded, whatever hangs.
const watchdog = setTimeout(() => {
  console.error("browser: chat test timed out");
  child?.kill("SIGKILL");
  process.exit(1);
}, 800_000);

const errors = [];
const pages = [];
/** Network errors are expected while the server is down on purpose. */
let outage = false;
const EXPECTED_WHILE_DOWN = /WebSocket connection to|ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|Failed to load resource/;

function watch(page, label) {
  pages.push([label, page]);
  page.setDefaultTimeout(STEP_MS);
  page.on("pageerror", (error) => errors.push(`${label}: ${error}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    if (outage && EXPECTED_WHILE_DOWN.test(message.text())) return;
    errors.push(`${label}: ${message.text()}`);
  });
  if (process.env.CHAT_TRACE) {
    // Every WebSocket frame, for debugging a failing step.
    page.on("websocket", (ws) => {
      ws.on("framesent", (f) => console.log(`${label} > ${String(f.payload).slice(0, 300)}`));
      ws.on("framereceived", (f) => console.log(`${label} < ${String(f.payload).slice(0, 300)}`));
    });
  }
  // Any alert/confirm/prompt means injected script ran (the page itself never opens one).
  page.on("dialog", async (dialog) => {
    errors.push(`${label}: unexpected ${dialog.type()} dialog: ${dialog.message()}`);
    await dialog.dismiss().catch(() => {});
  });
  return page;
}

async function register(browser, { username, displayName, locale = "en-US", viewport = { width: 1280, height: 800 }, query = "" }) {
  const context = await browser.newContext({ locale, viewport });
  const page = watch(await context.newPage(), username);
  await page.goto(`${base}/register${query}`);
  await page.fill("#username", username);
  await page.fill("#display_name", displayName);
  await page.fill("#password", PASSWORD);
  await page.click('button[type="submit"]');
  try {
    await page.waitForURL(`${base}/`);
  } catch {
    // Say why: the form's error, or whatever the server answered instead.
    const shown = ((await page.textContent("body").catch(() => "")) || "").replace(/\s+/g, " ").trim();
    throw new Error(`registering ${username} did not reach the chat (${page.url()}): ${shown.slice(0, 300)}`);
  }
  await page.waitForSelector('#chat[data-ready="true"]');
  await waitConnected(page);
  return page;
}

async function waitConnected(page, timeout = STEP_MS) {
  await page.waitForSelector('#connection-status[data-state="connected"]', { timeout });
}

async function joinByCode(page, code) {
  await page.click("#join-room-button");
  await page.fill("#join-code", code);
  await page.click('#join-dialog button[type="submit"]');
  await page.waitForSelector("#join-dialog", { state: "detached" });
}

async function send(page, text) {
  await page.fill("#composer-input", text);
  await page.press("#composer-input", "Enter");
  await page.locator("#timeline .message-body", { hasText: text }).first().waitFor();
}

function messageByText(page, text) {
  return page.locator("#timeline [data-message-id]", { has: page.locator(".message-body", { hasText: text }) }).first();
}

/** Text as read: Fluent wraps variables in bidi isolation marks (U+2068/U+2069). */
async function textOf(page, selector) {
  return ((await page.textContent(selector)) || "").replace(/[\u2068\u2069]/g, "").trim();
}

async function waitText(page, selector, pattern, timeout = STEP_MS) {
  await page.waitForFunction(([sel, source, flags]) => {
    const el = document.querySelector(sel);
    return el && new RegExp(source, flags).test(el.textContent.replace(/[\u2068\u2069]/g, ""));
  }, [selector, pattern.source, pattern.flags], { timeout });
}

async function messageIds(page) {
  return page.$$eval("#timeline [data-message-id]", (els) => els.map((el) => el.dataset.messageId));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
try {
  await waitHealthy(startServer());

  // (1) Alice registers, creates a private room and reads its invite code.
  const alice = await register(browser, { username: "alice", displayName: "Alice" });
  check((await alice.getAttribute("html", "dir")) === "ltr", "English page is left-to-right");
  await alice.click("#create-room-button");
  await alice.fill("#create-room-name", "Project Atlas");
  await alice.fill("#create-room-topic", "Planning the spring release");
  await alice.check("#create-room-private");
  await alice.click('#create-room-dialog button[type="submit"]');
  await alice.waitForSelector("#room-name:has-text('Project Atlas')");
  const roomId = await alice.getAttribute("#room-list [aria-current='page']", "data-room-id");
  check(roomId, "the new room is selected in the list");
  await alice.click("#room-invite-button");
  const code = (await alice.textContent("#invite-code")).trim();
  check(code.length >= 6, `an invite code is shown (${code})`);
  await alice.keyboard.press("Escape");
  await alice.waitForSelector("#invite-dialog", { state: "detached" });

  // (2) Bob registers in his own browser context and joins with the code.
  const bob = await register(browser, { username: "bob", displayName: "Bob" });
  await joinByCode(bob, code);
  await bob.waitForSelector("#room-name:has-text('Project Atlas')");
  await waitText(alice, "#room-meta", /^2 members/);

  // (3) Live: a message, a reaction, typing, a poll and a vote.
  const hello = "Hello Bob! Ready for the release? 🚀";
  await send(alice, hello);
  await messageByText(bob, hello).waitFor();
  const bobsView = messageByText(bob, hello);
  await bobsView.hover();
  await bobsView.locator('[data-action="react"]').click();
  await bob.click('.reaction-picker .reaction-choice[data-emoji="👍"]');
  await messageByText(alice, hello).locator('.reaction[data-emoji="👍"] .reaction-count:text-is("1")').waitFor();
  check(await bobsView.locator('.reaction[data-emoji="👍"][aria-pressed="true"]').count() === 1, "Bob's reaction is marked as his");

  await send(bob, "Almost — the docs need one more pass.\nI will finish them today.");
  await alice.focus("#composer-input");
  await alice.keyboard.type("Let me check", { delay: 20 });
  await waitText(bob, "#typing", /^Alice is typing/);
  await alice.fill("#composer-input", "");

  await alice.click("#poll-button");
  await alice.fill("#poll-question", "Which day should we ship?");
  const optionInputs = alice.locator("#poll-options input");
  await optionInputs.nth(0).fill("Tuesday");
  await optionInputs.nth(1).fill("Thursday");
  await alice.click("#poll-add-option");
  await optionInputs.nth(2).fill("Next week");
  await alice.click('#poll-dialog button[type="submit"]');
  await alice.waitForSelector(".poll .poll-question:has-text('Which day should we ship?')");
  await bob.waitForSelector(".poll .poll-question:has-text('Which day should we ship?')");
  await bob.locator(".poll .poll-option", { hasText: "Thursday" }).click();
  await bob.waitForSelector(".poll .poll-option[aria-pressed='true']:has-text('Thursday')");
  await alice.locator(".poll .poll-option[data-votes='1']", { hasText: "Thursday" }).waitFor();
  await waitText(alice, ".poll .poll-total", /^1 person voted$/);

  // A reply, quoted above the answer.
  const bobsHello = messageByText(bob, hello);
  await bobsHello.hover();
  await bobsHello.locator('[data-action="reply"]').click();
  await waitText(bob, "#composer-context", /Alice/);
  await send(bob, "Thursday gives QA one more day.");
  await messageByText(alice, "QA one more day").locator(".message-reply:has-text('Ready for the release')").waitFor();

  // Unread badge and title: Bob looks at another room while Alice writes.
  await bob.locator("#room-list [data-room-id]", { hasText: "general" }).click();
  await send(alice, "Thursday works for me too.");
  const badge = bob.locator(`#room-list [data-room-id="${roomId}"] .badge-unread`);
  await badge.waitFor();
  check((await badge.getAttribute("data-unread-count")) === "1", "one unread message");
  // Unread messages mark the title with a dot; a count there is the inbox's (what asked for
  // Bob), as Discord does, so the two never read as one number.
  check((await bob.title()).startsWith("• "), `unread messages mark the title (${await bob.title()})`);
  await bob.locator(`#room-list [data-room-id="${roomId}"]`).click();
  await badge.waitFor({ state: "detached" });

  // (4) Hostile display name and body are shown as text, never as markup.
  const hostileName = "<img src=x onerror=alert(1)>";
  const hostileBody = "<script>alert(1)</script><b>bold</b>";
  const mallory = await register(browser, { username: "mallory", displayName: hostileName });
  await joinByCode(mallory, code);
  await mallory.waitForSelector("#room-name:has-text('Project Atlas')");
  await send(mallory, hostileBody);
  for (const page of [alice, mallory]) {
    const message = page.locator("#timeline [data-author='mallory']").first();
    await message.waitFor();
    check((await message.locator(".message-body").textContent()) === hostileBody, "hostile body shown literally");
    check((await message.locator(".message-author").textContent()).includes(hostileName), "hostile name shown literally");
    const injected = await page.$$eval("#timeline b, #timeline script, #timeline img, #member-list img, #room-list img",
      (els) => els.map((el) => el.outerHTML));
    check(injected.length === 0, `no elements created from user text: ${injected.join(" ")}`);
  }
  await alice.waitForSelector("#member-list [data-user-id]:has-text('<img src=x onerror=alert(1)>')");

  // (5) Persian: right-to-left, Persian words and digits.
  const dariush = await register(browser, {
    username: "dariush", displayName: "داریوش", locale: "fa-IR", query: "?lang=fa-IR",
  });
  check((await dariush.getAttribute("html", "dir")) === "rtl", "Persian page is right-to-left");
  check((await dariush.getAttribute("html", "lang")) === "fa-IR", "Persian page says fa-IR");
  check(await dariush.isVisible("#send-button:has-text('ارسال')"), "Persian send button");
  check(await dariush.isVisible(".sidebar-heading:has-text('اتاق‌ها')"), "Persian room list heading");
  await joinByCode(dariush, code);
  await dariush.waitForSelector("#room-name:has-text('Project Atlas')");
  await messageByText(dariush, hello).waitFor();
  await send(dariush, "سلام به همه! من هم برای پنجشنبه هستم.");
  await messageByText(alice, "سلام به همه").waitFor();
  const meta = await textOf(dariush, "#room-meta");
  check(/[۰-۹]/.test(meta), `member count in Persian digits (${meta})`);
  const time = await dariush.locator("#timeline [data-message-id] time").first().textContent();
  check(/[۰-۹]/.test(time), `message time in Persian digits (${time})`);
  await dariush.locator(".poll .poll-option", { hasText: "Thursday" }).click();
  await alice.locator(".poll .poll-option[data-votes='2']", { hasText: "Thursday" }).waitFor();
  for (const [page, emoji] of [[alice, "🎉"], [bob, "❤️"]]) {
    const message = messageByText(page, "سلام به همه");
    await message.hover();
    await message.locator('[data-action="react"]').click();
    await page.click(`.reaction-picker .reaction-choice[data-emoji="${emoji}"]`);
    await messageByText(dariush, "سلام به همه").locator(`.reaction[data-emoji="${emoji}"]`).waitFor();
  }

  // Bob fixes his last message: ArrowUp in the empty composer edits it inline.
  await bob.focus("#composer-input");
  await bob.keyboard.press("ArrowUp");
  const editor = bob.locator(".message-editor-input");
  await editor.fill("Thursday gives QA one more day. Agreed?");
  await editor.press("Enter");
  await messageByText(alice, "Agreed?").locator(".message-edited").waitFor();

  // Files: a refused type never leaves the browser; a picture uploads with progress and
  // shows as a thumbnail for everyone.
  await alice.setInputFiles("#file-input", { name: "setup.exe", mimeType: "application/octet-stream", buffer: Buffer.from("MZ") });
  await waitText(alice, "#toasts", /setup\.exe cannot be shared/);
  await alice.setInputFiles("#file-input", { name: "mockup.png", mimeType: "image/png", buffer: png(240, 150) });
  await alice.waitForSelector('#upload-tray .upload[data-upload-state="done"] img.upload-preview');
  await alice.fill("#composer-input", "The release banner mockup");
  await alice.press("#composer-input", "Enter");
  await alice.waitForSelector("#upload-tray", { state: "hidden" });
  for (const page of [alice, dariush]) {
    await messageByText(page, "banner mockup").locator(".attachment-image img[alt='mockup.png']").waitFor();
  }
  const thumbnailOk = await dariush.locator(".attachment-image img").first().evaluate((img) =>
    img.complete ? img.naturalWidth > 0 : new Promise((resolve) => { img.onload = () => resolve(true); img.onerror = () => resolve(false); }));
  check(thumbnailOk, "the thumbnail loads");

  // Screenshots with real content, both directions, desktop and phone.
  for (const [page, name] of [[alice, "en"], [dariush, "fa"]]) {
    await page.mouse.move(0, 0);
    await page.evaluate(() => {
      document.activeElement?.blur();
      for (const toast of document.querySelectorAll("#toasts .toast")) toast.remove();
    });
    if (await page.isVisible("#jump-latest")) await page.click("#jump-latest");
    await page.screenshot({ path: `${shots}/chat-${name}-desktop.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(150);
    await page.screenshot({ path: `${shots}/chat-${name}-mobile.png` });
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  // (6) The server dies; the client shows it, comes back and misses nothing.
  await bob.waitForTimeout(300); // let the last events land everywhere
  const before = await messageIds(alice);
  check(new Set(before).size === before.length, "no duplicate messages before the outage");
  outage = true;
  await stopServer("SIGKILL");
  await alice.waitForSelector('#connection-status:is([data-state="reconnecting"], [data-state="offline"])');
  const statusText = await textOf(alice, "#connection-status");
  check(/Reconnecting|Offline/.test(statusText), `status says so (${statusText})`);
  await waitHealthy(startServer());
  const missed = "Sent while Alice was disconnected";
  const sent = await bob.evaluate(async ([room, body]) => {
    const response = await fetch(`/api/v1/rooms/${room}/messages`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ body }),
    });
    return { status: response.status, json: await response.json() };
  }, [roomId, missed]);
  check(sent.status === 201, `REST send while Alice reconnects (${sent.status})`);
  await waitConnected(alice, 30_000);
  outage = false;
  await messageByText(alice, missed).waitFor({ timeout: STEP_MS });
  await alice.waitForTimeout(500); // a duplicate would arrive right after
  const after = await messageIds(alice);
  check(new Set(after).size === after.length, `no duplicates after resuming: ${after.join(",")}`);
  check(JSON.stringify(after) === JSON.stringify([...before, sent.json.id]),
    `old messages plus exactly the missed one (${before.length} → ${after.length})`);

  // Search jumps to a message.
  await alice.fill("#search-input", "docs");
  await alice.locator("#search-results .search-result").first().click();
  await alice.waitForSelector("#timeline .message-highlight:has-text('the docs need one more pass')");

  check(errors.length === 0, `no script errors:\n${errors.join("\n")}`);
  console.log("browser: chat ok");
} catch (error) {
  // What each browser showed when it failed, for the log reader.
  for (const [label, page] of pages) {
    await page.screenshot({ path: `${shots}/chat-failure-${label}.png` }).catch(() => {});
  }
  if (errors.length) console.error(`script errors so far:\n${errors.join("\n")}`);
  throw error;
} finally {
  clearTimeout(watchdog);
  await browser.close().catch(() => {});
  await stopServer("SIGTERM");
}
