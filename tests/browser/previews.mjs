// A link preview appears live under a message in real headless Chromium, and its author
// takes it away again. The page (served by the Rust test on 127.0.0.1) has an OpenGraph card
// whose title carries markup, which must come out as text.
// Usage: node previews.mjs <base url> <token> <room id> <link> <expected title>
import { check, launch, openRoom } from "./lib.mjs";

const [base, token, room, link, title] = process.argv.slice(2);
if (!title) {
  console.error("usage: node previews.mjs <base url> <token> <room id> <link> <expected title>");
  process.exit(2);
}

const browser = await launch();
try {
  const { context, page, errors } = await openRoom(browser, { base, token, lang: "en", room });
  await page.waitForSelector('#connection-status[data-state="connected"]');
  let dialogs = 0;
  page.on("dialog", (dialog) => { dialogs += 1; dialog.dismiss(); });

  await page.fill("#composer-input", `have a look ${link}`);
  await page.click("#send-button");
  // Nothing is shown until the server has fetched the page: the card arrives by itself.
  const card = await page.waitForSelector("#timeline .embed");
  const anchor = await card.$(".embed-title");
  check((await anchor.textContent()) === title, `the title is shown as text (${await anchor.textContent()})`);
  check((await anchor.getAttribute("href")) === link, "the title links to the page");
  check((await anchor.getAttribute("rel")) === "noopener noreferrer nofollow ugc", "the link is marked");
  check((await anchor.getAttribute("target")) === "_blank", "the link opens apart");
  check((await card.$$("b, script, img[onerror]")).length === 0, "no markup of the page became elements");
  const picture = await card.waitForSelector(".embed-picture img");
  check((await picture.getAttribute("src")).startsWith("/api/v1/messages/"), "the picture is served here");
  await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, picture);

  await card.$eval(".embed-remove", (button) => button.click());
  await page.waitForSelector("#timeline .embed", { state: "detached" });
  check(dialogs === 0, "no dialog fired");
  check(errors.length === 0, `no script errors (${errors.join("; ")})`);
  await context.close();
  console.log("browser: previews ok");
} finally {
  await browser.close();
}
