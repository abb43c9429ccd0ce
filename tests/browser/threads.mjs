// Threads in real headless Chromium, two people in one room: alice (English) opens a
// thread from a message's "Reply in thread" and replies; bob (Persian) sees the root's
// summary count the reply live, in Persian digits, while his main timeline never shows it;
// he opens the thread from the summary and replies "Also send to the room", and alice sees
// the count reach 2 and his reply in her main timeline with its "Replied in a thread" link.
// "My threads" lists the thread for bob (replying followed it); a thread draft alice types
// is back in the panel's box after a reload; Escape closes the panel; the inbox's "replied
// in a thread you follow" opens the thread, and so does a search result that is a reply kept
// in its thread. Screenshots of the
// open panel in both languages.
// Usage: node threads.mjs <base url> <room id> <root message id> <root text> <en token> <fa token> <screenshot dir>
import { check, launch, openRoom, png } from "./lib.mjs";

const [base, room, rootId, rootText, enToken, faToken, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node threads.mjs <base url> <room id> <root message id> <root text> <en token> <fa token> <screenshot dir>");
  process.exit(2);
}

const ALICE_REPLY = "Thursday works for me";
const BOB_REPLY = "پنجشنبه برای من هم خوب است";
const DRAFT = "Half a reply, to finish later";
const RACE_REPLY = "Friday is fine too";
const PICTURE_REPLY = "The room plan";

const rootIn = (page) => page.locator(`#timeline [data-message-id="${rootId}"]`);
const summaryCount = (page) => rootIn(page).locator(".thread-summary-count");
const panel = (page) => page.locator("#thread-panel");

async function waitForCount(page, text) {
  await page.waitForFunction(({ id, text }) =>
    // Fluent isolates the number (U+2068 … U+2069): compare the words as they read.
    document.querySelector(`#timeline [data-message-id="${id}"] .thread-summary-count`)?.textContent
      .replace(/[\u2068\u2069]/g, "").includes(text), { id: rootId, text });
}

/** The open panel's count line reads `text`. */
async function waitForPanelCount(page, text) {
  await page.waitForFunction((text) =>
    document.querySelector("#thread-count")?.textContent.replace(/[\u2068\u2069]/g, "") === text, text)
    .catch(async (error) => {
      const shown = await page.evaluate(() => document.querySelector("#thread-count")?.textContent);
      throw new Error(`the panel's count reads ${JSON.stringify(shown)}, not ${JSON.stringify(text)}: ${error.message}`);
    });
}

const membersExpanded = (page) => page.locator("#members-toggle").getAttribute("aria-expanded");

const browser = await launch();
try {
  const alice = await openRoom(browser, { base, token: enToken, lang: "en", room });
  const bob = await openRoom(browser, { base, token: faToken, lang: "fa", room });

  // alice: "Reply in thread" from the message's menu opens the panel with the root.
  await rootIn(alice.page).hover();
  const action = rootIn(alice.page).locator('.message-actions [data-action="open-thread"]');
  check(await action.getAttribute("aria-label") === "Reply in thread", "en: the menu offers \"Reply in thread\"");
  await action.click();
  await panel(alice.page).waitFor({ state: "visible" });
  check(await alice.page.locator("#thread-panel-title").textContent() === "Thread", "en: the panel is titled \"Thread\"");
  check(await panel(alice.page).getAttribute("aria-labelledby") === "thread-panel-title", "the panel is a region named by its title");
  await panel(alice.page).locator(".thread-root .message-body", { hasText: rootText }).waitFor();
  await alice.page.locator("#thread-count", { hasText: "No replies yet" }).waitFor();
  // The panel took the member list's place: its toggle does not read as expanded.
  check(await alice.page.locator("#members").isHidden(), "en: the member list gives way to the panel");
  check(await membersExpanded(alice.page) === "false", "en: the member toggle is not expanded while the thread is open");
  check(await alice.page.evaluate(() => document.activeElement?.id) === "thread-input", "en: the reply box has focus");
  await alice.page.locator("#thread-input").fill(ALICE_REPLY);
  await alice.page.keyboard.press("Enter");
  await alice.page.locator("#thread-replies .message-body", { hasText: ALICE_REPLY }).waitFor();
  check(await alice.page.locator("#thread-input").inputValue() === "", "en: the box is emptied once sent");

  // bob: the root's summary counts it live (Persian digits); the reply stays out of his timeline.
  await waitForCount(bob.page, "۱");
  check(!/[0-9]/.test(await summaryCount(bob.page).textContent()), "fa: the count is in Persian digits");
  check(await bob.page.locator("#timeline .message-body", { hasText: ALICE_REPLY }).count() === 0, "fa: the thread reply is not in the main timeline");
  check(await alice.page.locator("#timeline .message-body", { hasText: ALICE_REPLY }).count() === 0, "en: nor in alice's");
  await waitForCount(alice.page, "1 reply");

  // bob opens the thread from the summary and replies, also to the room.
  await rootIn(bob.page).locator(".thread-summary").click();
  await panel(bob.page).waitFor({ state: "visible" });
  await bob.page.locator("#thread-replies .message-body", { hasText: ALICE_REPLY }).waitFor();
  check(await bob.page.locator("#thread-panel-title").textContent() === "رشته", "fa: the panel is titled in Persian");
  await bob.page.locator("#thread-input").fill(BOB_REPLY);
  await bob.page.locator("#thread-also-to-room").check();
  await bob.page.locator("#thread-send").click();
  await bob.page.locator("#thread-replies .message-body", { hasText: BOB_REPLY }).waitFor();
  // Replying followed the thread: the toggle says so.
  await bob.page.locator("#thread-follow", { hasText: "دنبال نکردن" }).waitFor();
  await waitForCount(bob.page, "۲");
  await bob.page.screenshot({ path: `${shots}/threads-panel-fa.png` });

  // alice: count 2, bob's reply in her timeline (with its link) and in her open panel.
  await waitForCount(alice.page, "2 replies");
  const inRoom = alice.page.locator("#timeline [data-message-id]", { has: alice.page.locator(".message-body", { hasText: BOB_REPLY }) });
  await inRoom.waitFor();
  check((await inRoom.locator(".message-thread-link").textContent()) === "Replied in a thread", "en: the reply in the room says where it belongs");
  await alice.page.locator("#thread-replies .message-body", { hasText: BOB_REPLY }).waitFor();
  await alice.page.screenshot({ path: `${shots}/threads-panel-en.png` });

  // bob: "My threads" from the room header lists the thread.
  await bob.page.locator("#room-threads-button").click();
  await bob.page.locator("#thread-lists").waitFor({ state: "visible" });
  await bob.page.locator("#thread-tab-mine").click();
  check(await bob.page.locator("#thread-tab-mine").getAttribute("aria-selected") === "true", "fa: the tab is selected");
  const entry = bob.page.locator(`#thread-list [data-root-id="${rootId}"]`);
  await entry.waitFor();
  check((await entry.textContent()).includes("۲"), "fa: the entry counts the replies in Persian digits");
  await entry.click();
  await bob.page.locator("#thread-view").waitFor({ state: "visible" });
  await bob.page.locator("#thread-replies .message-body", { hasText: BOB_REPLY }).waitFor();
  // Escape closes the panel and gives focus back.
  await bob.page.keyboard.press("Escape");
  await panel(bob.page).waitFor({ state: "hidden" });

  // alice: a thread draft is saved and comes back after a reload.
  const saved = alice.page.waitForResponse((r) => r.url().includes("/draft") && r.request().method() === "PUT"
    && (r.request().postData() || "").includes(rootId) && r.ok());
  await alice.page.locator("#thread-input").fill(DRAFT);
  await saved;
  await alice.page.reload();
  await alice.page.waitForSelector('#chat[data-view="room"]');
  await rootIn(alice.page).locator(".thread-summary").click();
  await panel(alice.page).waitFor({ state: "visible" });
  await alice.page.waitForFunction((text) => document.querySelector("#thread-input").value === text, DRAFT);
  check(await alice.page.locator("#timeline .message-body", { hasText: DRAFT }).count() === 0, "en: the draft is not sent");

  // alice follows the thread (she replied): bob's reply is in her inbox, and opens the thread.
  await alice.page.keyboard.press("Escape");
  await panel(alice.page).waitFor({ state: "hidden" });
  await alice.page.locator("#inbox-button").click();
  const notification = alice.page.locator('#inbox-list [data-kind="thread"] .inbox-open').first();
  await notification.click();
  await panel(alice.page).waitFor({ state: "visible" });
  await alice.page.locator("#thread-replies .message-body", { hasText: BOB_REPLY }).waitFor();

  // A reply kept in its thread, found by search, opens in its thread: the room's timeline
  // does not show it.
  await alice.page.locator("#thread-close").click();
  await panel(alice.page).waitFor({ state: "hidden" });
  await alice.page.fill("#search-input", "Thursday");
  await alice.page.locator(`#search-results .search-result[data-thread-id="${rootId}"]`).first().click();
  await panel(alice.page).waitFor({ state: "visible" });
  await alice.page.locator("#thread-replies .message-body", { hasText: ALICE_REPLY }).waitFor();

  // A reply that arrives while the thread's first page is on its way is counted once and
  // shown: alice's page request is answered by the server before bob replies, and reaches
  // her only after the live event of his reply has (her timeline counts it first).
  await alice.page.locator("#thread-close").click();
  await panel(alice.page).waitFor({ state: "hidden" });
  check(await membersExpanded(alice.page) === "true", "en: the member list is back, its toggle expanded");
  const threadPage = (url) => url.pathname === `/api/v1/messages/${rootId}/thread`;
  let answered;
  const pageAnswered = new Promise((resolve) => { answered = resolve; });
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  await alice.page.route(threadPage, async (route) => {
    const response = await route.fetch();
    answered();
    await released;
    await route.fulfill({ response });
  });
  await rootIn(alice.page).locator(".thread-summary").click();
  await panel(alice.page).waitFor({ state: "visible" });
  await pageAnswered;
  await rootIn(bob.page).locator(".thread-summary").click();
  await panel(bob.page).waitFor({ state: "visible" });
  await bob.page.locator("#thread-input").fill(RACE_REPLY);
  await bob.page.keyboard.press("Enter");
  await bob.page.locator("#thread-replies .message-body", { hasText: RACE_REPLY }).waitFor();
  await waitForCount(alice.page, "3 replies");
  release();
  await waitForPanelCount(alice.page, "3 replies");
  await alice.page.locator("#thread-replies .message-body", { hasText: RACE_REPLY }).waitFor();
  await alice.page.unroute(threadPage);
  check(await alice.page.locator("#thread-replies [data-message-id]").count() === 3, "en: three replies in the panel, none twice");

  // A picture in a thread reply: attached in the thread's box (not the room composer's),
  // shown in the panel, and not in the main timeline.
  await alice.page.setInputFiles("#thread-file-input", { name: "plan.png", mimeType: "image/png", buffer: png(120, 80) });
  await alice.page.waitForSelector('#thread-upload-tray .upload[data-upload-state="done"] img.upload-preview');
  check(await alice.page.locator("#upload-tray").isHidden(), "en: the room composer's tray stays empty");
  await alice.page.locator("#thread-input").fill(PICTURE_REPLY);
  await alice.page.locator("#thread-send").click();
  await alice.page.waitForSelector("#thread-upload-tray", { state: "hidden" });
  for (const page of [alice.page, bob.page]) {
    const reply = page.locator("#thread-replies [data-message-id]", { has: page.locator(".message-body", { hasText: PICTURE_REPLY }) });
    await reply.locator(".attachment-image img[alt='plan.png']").waitFor();
    check(await page.locator("#timeline img[alt='plan.png']").count() === 0, "the picture is not in the main timeline");
  }
  await waitForPanelCount(bob.page, "۴ پاسخ");

  // The member toggle, pressed while the thread is open, closes the thread and shows the list.
  check(await membersExpanded(alice.page) === "false", "en: not expanded with the thread open");
  await alice.page.locator("#members-toggle").click();
  await panel(alice.page).waitFor({ state: "hidden" });
  await alice.page.locator("#members").waitFor({ state: "visible" });
  check(await membersExpanded(alice.page) === "true", "en: the toggle reads as expanded with the list shown");

  check(alice.errors.length === 0, `en: no script errors: ${alice.errors.join("; ")}`);
  check(bob.errors.length === 0, `fa: no script errors: ${bob.errors.join("; ")}`);
  await alice.context.close();
  await bob.context.close();
  console.log("browser: threads ok");
} finally {
  await browser.close();
}
