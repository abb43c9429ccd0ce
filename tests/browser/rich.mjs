// Rich messages in real headless Chromium:
// - the server's rendering shows as elements: bold, italic, code, highlighted code blocks,
//   links that open safely and name their real host, spoilers that open on demand;
// - a Persian paragraph reads right to left and the code block after it left to right;
// - every filter-evasion vector, sent as a message, leaves no element with an event
//   handler, no script link, no foreign element, and fires no dialog;
// - the composer's Ctrl+B / Ctrl+K wrap the selection (Ctrl+K with nothing selected is the
//   quick switcher's), the preview shows the server's
//   rendering, and what is sent reads the same in the timeline; in Persian too.
// Usage: node rich.mjs <base url> <room> <en token> <fa token> <messages expected> <screenshot dir>
import { check, launch, openRoom } from "./lib.mjs";
import { mkdirSync } from "node:fs";

const [base, room, enToken, faToken, expected, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node rich.mjs <base url> <room> <en token> <fa token> <messages expected> <screenshot dir>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const browser = await launch();
try {
  const { context, page, errors } = await openRoom(browser, { base, token: enToken, lang: "en", room });
  const dialogs = [];
  page.on("dialog", async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await page.waitForFunction((count) => document.querySelectorAll("#timeline .message").length >= count, Number(expected));

  // The showcase message.
  const showcase = page.locator("#timeline .message", { hasText: "showcase" });
  const body = showcase.locator(".message-body");
  check(await body.locator("strong").textContent() === "bold", "bold renders");
  check(await body.locator("em").textContent() === "italic", "italic renders");
  check(await body.locator("p code").first().textContent() === "code", "inline code renders");
  const link = body.locator('a[href="https://example.org/docs"]');
  check(await link.getAttribute("rel") === "noopener noreferrer nofollow ugc", "links carry rel");
  check(await link.getAttribute("target") === "_blank", "links open in a new tab");
  check((await body.locator(".link-host").textContent()) === "(example.org)", "the real host shows beside the link text");
  check(await body.locator("pre code span[class^='hl-']").count() > 0, "the rust block is highlighted");
  const spoiler = body.locator(".spoiler");
  check(await spoiler.getAttribute("aria-expanded") === "false", "the spoiler starts covered");
  const covered = await spoiler.evaluate((el) => getComputedStyle(el).color);
  await spoiler.click();
  check(await spoiler.getAttribute("aria-expanded") === "true", "the spoiler opens when chosen");
  check(await spoiler.evaluate((el) => getComputedStyle(el).color) !== covered, "the opened spoiler's text shows");

  // Persian paragraph right to left, then code left to right, inside an English page.
  const mixed = page.locator("#timeline .message", { hasText: "جلسه" }).locator(".message-body");
  const directions = await mixed.evaluate((el) => [...el.children].map((child) => `${child.localName}:${getComputedStyle(child).direction}`));
  check(directions.join(" ") === "p:rtl pre:ltr p:ltr", `each block reads in its own direction (${directions})`);

  // Nothing a vector brought can run.
  const foreign = await page.$$eval("#timeline .message-body *", (elements) => elements.flatMap((el) => {
    const problems = [];
    if (!["p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "span", "img", "bdi", "time"].includes(el.localName)) problems.push(`<${el.localName}>`);
    for (const attribute of el.attributes) {
      if (attribute.name.startsWith("on") || attribute.name === "style") problems.push(`${el.localName}[${attribute.name}]`);
    }
    if (el.localName === "a" && el.hasAttribute("href") && !/^(https?:|mailto:)/i.test(el.getAttribute("href"))) problems.push(`a[href=${el.getAttribute("href")}]`);
    if (el.localName === "img" && !el.getAttribute("src")?.startsWith("/api/v1/emoji/")) problems.push(`img[src=${el.getAttribute("src")}]`);
    return problems;
  }));
  check(foreign.length === 0, `no element can run script: ${foreign.join(", ")}`);
  // Hover and click through every vector's message: a handler that slipped through would fire.
  for (const message of await page.locator("#timeline .message-body").all()) {
    await message.scrollIntoViewIfNeeded();
    await message.hover();
  }
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  check(dialogs.length === 0, `no dialog fired (${dialogs.join(", ")})`);
  check(errors.length === 0, `no script errors (${errors.join(", ")})`);
  await page.screenshot({ path: `${shots}/rich-en-desktop.png` });

  // The composer: Ctrl+B on a selection, Ctrl+K, the preview, then the send.
  const input = page.locator("#composer-input");
  await input.fill("make this bold");
  await input.evaluate((el) => el.setSelectionRange(10, 14));
  await input.press("Control+b");
  check(await input.inputValue() === "make this **bold**", `Ctrl+B wraps the selection (${await input.inputValue()})`);
  await input.press("Control+z");
  check(await input.inputValue() === "make this bold", `Ctrl+Z undoes it (${await input.inputValue()})`);
  await input.evaluate((el) => el.setSelectionRange(10, 14));
  await input.press("Control+b");
  await input.press("End");
  await page.keyboard.type(" see docs");
  // With nothing selected Ctrl+K is the quick switcher's, even in a half-typed message,
  // which it leaves as it was.
  await input.press("Control+k");
  await page.waitForSelector("#switcher-dialog[open]");
  await page.keyboard.press("Escape");
  await page.waitForSelector("#switcher-dialog", { state: "detached" });
  check((await input.inputValue()).endsWith(" see docs"), `Ctrl+K with nothing selected changed no text (${await input.inputValue()})`);
  // On selected text it makes a link, with the address selected to be typed.
  await input.evaluate((el) => el.setSelectionRange(el.value.length - 4, el.value.length));
  await input.press("Control+k");
  check((await input.inputValue()).endsWith(" see [docs](https://)"), `Ctrl+K makes a link of the selection (${await input.inputValue()})`);
  await page.keyboard.type("https://example.net/x");
  await page.click("#format-preview");
  const preview = page.locator("#composer-preview");
  await preview.locator("strong").waitFor();
  check(await preview.locator("strong").textContent() === "bold", "the preview shows the rendering");
  check(await page.locator("#format-preview").getAttribute("aria-pressed") === "true", "the preview button says it is on");
  await input.press("Enter");
  const sent = page.locator("#timeline .message", { hasText: "make this" }).last();
  await sent.locator("strong").waitFor();
  check(await preview.isHidden(), "the preview closes once sent");
  check(await sent.locator("a .link-host, .link-host").count() === 1, "the sent link names its host");

  // Mentions: `@` offers the room's members, by username or by a Persian display name;
  // Enter puts the username in; the sent message shows a pill with the display name.
  await input.fill("");
  await input.focus();
  await page.keyboard.type("hi @پر");
  await page.waitForSelector("#autocomplete-list:not([hidden]) [role=option]");
  const offered = await page.locator("#autocomplete-list [role=option]").allTextContents();
  check(offered.length === 1 && offered[0].includes("@parisa"), `a Persian name prefix finds the member (${offered})`);
  await page.keyboard.press("Enter");
  check(await input.inputValue() === "hi @parisa ", `Enter puts the username in (${await input.inputValue()})`);
  await page.keyboard.type("and @");
  await page.waitForSelector("#autocomplete-list:not([hidden]) [role=option]");
  const all = await page.locator("#autocomplete-list [role=option]").allTextContents();
  check(all.some((o) => o.includes("@parisa")) && all.some((o) => o.includes("@here")) && all.some((o) => o.includes("@room")),
    `a bare @ offers members and, in a small room, @here and @room (${all})`);
  check(!all.some((o) => o.includes("@alice")), "the writer is not offered to themselves");
  await page.keyboard.press("Escape");
  await page.keyboard.type("x");
  await input.press("Enter");
  const pill = page.locator("#timeline .message", { hasText: "and @" }).last().locator(".mention");
  await pill.waitFor();
  check(await pill.textContent() === "@پریسا", `the mention shows as a pill with the display name (${await pill.textContent()})`);
  await context.close();

  // Persian page: the toolbar speaks Persian; a code block stays left to right.
  const fa = await openRoom(browser, { base, token: faToken, lang: "fa", room });
  await fa.page.waitForFunction((count) => document.querySelectorAll("#timeline .message").length > count, Number(expected));
  check(await fa.page.getAttribute(".icon-format-bold", "aria-label") === "پررنگ (Ctrl+B)", "the toolbar is in Persian");
  const pre = fa.page.locator("#timeline .message", { hasText: "showcase" }).locator("pre");
  check(await pre.evaluate((el) => getComputedStyle(el).direction) === "ltr", "code reads left to right on a Persian page");
  await fa.page.screenshot({ path: `${shots}/rich-fa-desktop.png` });
  await fa.context.close();
  console.log("browser: rich ok");
} finally {
  await browser.close();
}
