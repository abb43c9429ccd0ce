// Accessibility of every page and every chat overlay, checked by axe-core in real headless
// Chromium: WCAG 2.0/2.1 A and AA plus axe's best practices, no rule switched off, in
// English and Persian (right-to-left), light and dark, on a desktop and on a phone. On the
// phone every control one can tap is also measured: at least 44×44 CSS px (WCAG 2.5.5).
//
// The states are a table: a name, whose page it is, where it starts and what opens it. A
// new dialog is one more line. Every state prints one summary line; the run fails listing
// each violation's rule, impact, element and (for contrast) the measured numbers.
//
// Usage: node axe.mjs <base url> <room id> <private room id> <en token> <fa token>
//                     <en newcomer token> <fa newcomer token> <screenshot dir>
//                     <reading room id> <lobby id> <en member token> <fa member token>
// The members are plain members of the room (no staff); the en one, sami, wrote the reading
// room's unread messages and writes the mentions.
// AXE_ONLY=<substring> runs only the states whose line ("chat-room fa dark phone") contains it;
// several, separated by "|", run the states that contain any of them.
import { check, DESKTOP, launch, PHONE, STEP_MS } from "./lib.mjs";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";

const [base, room, privateRoom, enToken, faToken, enNewcomer, faNewcomer, shots, readingRoom, lobby, enMember, faMember] = process.argv.slice(2);
if (!faMember) {
  console.error("usage: node axe.mjs <base url> <room id> <private room id> <en token> <fa token> <en newcomer token> <fa newcomer token> <screenshot dir> <reading room id> <lobby id> <en member token> <fa member token>");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
const MIN_TARGET = 44;

/** Text of the room's messages, as the Rust test posted them. */
const ALICE = "Hello, this is Alice";
const PARISA = "سلام، این پیام پریساست";

const message = (page, text) =>
  page.locator("#timeline [data-message-id]", { has: page.locator(".message-body", { hasText: text }) }).first();

/** Shows a message's action toolbar as a reader would: hover with a mouse, a tap on a phone. */
async function actionsOf(page, text, phone) {
  const item = message(page, text);
  await item.scrollIntoViewIfNeeded();
  if (phone) await item.locator(".message-body").tap();
  else await item.hover();
  // A tap on the body may not focus it; focus keeps the toolbar shown either way.
  await item.evaluate((el) => el.focus());
  await item.locator(".message-actions").waitFor({ state: "visible" });
  return item;
}

async function dialog(page, opener, id) {
  await page.locator(opener).click();
  await page.locator(`dialog#${id}[open]`).waitFor();
}

/** A plain member's words in the room: a name whose card offers Mute, Remove and Ban to staff. */
const SAMI = "Sami says hi";
const READER = { en: "alice", fa: "parisa" };

/** `enMember` (sami) posts `body` to `roomId`. */
async function postAsMember(roomId, body) {
  const resp = await fetch(`${base}/api/v1/rooms/${roomId}/messages`, {
    method: "POST", headers: { authorization: `Bearer ${enMember}`, "content-type": "application/json" }, body: JSON.stringify({ body }),
  });
  check(resp.status === 201, `sami posts "${body}" (${resp.status})`);
}

/** Opens the profile card of the author `username` from the timeline. */
async function card(page, username) {
  const name = page.locator(`#timeline .message-author[data-username="${username}"]`).first();
  await name.scrollIntoViewIfNeeded();
  await name.click();
  await page.locator("#profile-card").waitFor();
}

/** Sami's card, and one of its moderation actions. */
async function moderation(page, action) {
  await inRoom(page);
  await card(page, "sami");
  await page.locator(`#profile-card [data-profile-action="${action}"]`).click();
}

async function roomSettings(page) {
  await page.waitForSelector('#chat[data-view="room"] #room-settings-button:not([hidden])');
  await dialog(page, "#room-settings-button", "room-settings-dialog");
}

/** The switcher: Ctrl+K at a desk, the sidebar's button on a phone. */
async function switcher(page, phone, query, ready) {
  await inRoom(page);
  if (phone) {
    await page.tap("#sidebar-toggle");
    await page.waitForSelector('#chat[data-sidebar="open"]');
    await page.tap("#switcher-button");
  } else {
    await page.keyboard.press("Control+k");
  }
  await page.waitForSelector("#switcher-dialog[open]");
  await page.fill("#switcher-input", query);
  await page.waitForFunction(ready);
}

const inRoom = async (page) => {
  await page.waitForSelector('#chat[data-view="room"]');
  await message(page, ALICE).waitFor();
  await page.waitForSelector("#timeline .poll:not(.poll-loading)");
};

/**
 * The states. `who`: "visitor" (signed out), "reader" (en: alice, an admin; fa: parisa, an
 * admin too) or "newcomer" (signed in, no rooms). `open(page, {lang, phone})` brings the
 * page into the state once it has loaded; `phone: true` only on phones (drawers).
 */
const STATES = [
  { name: "login", who: "visitor", path: "/login", open: (page) => page.waitForSelector("#username") },
  {
    name: "login-error", who: "visitor", path: "/login", open: async (page) => {
      await page.fill("#username", "nobody");
      await page.fill("#password", "not the password");
      await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
      await page.waitForSelector(".form-error");
    },
  },
  { name: "register", who: "visitor", path: "/register", open: (page) => page.waitForSelector("#username") },
  // The mail pages: here the server sends no mail, so the reset page says so; the unsubscribe
  // page shows its button whatever the token.
  { name: "password-reset", who: "visitor", path: "/password-reset", open: (page) => page.waitForSelector(".account-form") },
  { name: "unsubscribe", who: "visitor", path: "/unsubscribe?token=x", open: (page) => page.waitForSelector(".account-form button") },
  { name: "error-404", who: "visitor", path: "/no-such-page", open: (page) => page.waitForSelector(".error-page") },
  {
    name: "settings", who: "reader", path: "/settings", open: async (page) => {
      await page.waitForSelector(".settings-form");
      // The time zone field is filled in from the browser when none is saved.
      await page.waitForFunction(() => document.getElementById("timezone")?.value);
    },
  },
  { name: "admin", who: "reader", path: "/admin", open: (page) => page.waitForSelector(".admin-reports li") },
  { name: "chat-empty", who: "newcomer", path: "/", open: (page) => page.waitForSelector('#chat[data-view="empty"][data-rooms="loaded"] #empty-state') },
  { name: "chat-room", who: "reader", path: `/#room=${room}`, open: inRoom },
  {
    name: "sidebar-drawer", who: "reader", path: `/#room=${room}`, phone: true, open: async (page) => {
      await inRoom(page);
      await page.tap("#sidebar-toggle");
      await page.waitForSelector('#chat[data-sidebar="open"]');
      await page.locator("#sidebar").waitFor({ state: "visible" });
    },
  },
  {
    name: "members-drawer", who: "reader", path: `/#room=${room}`, phone: true, open: async (page) => {
      await inRoom(page);
      await page.tap("#members-toggle");
      await page.waitForSelector('#chat[data-members="shown"] #members .member');
    },
  },
  {
    name: "search-results", who: "reader", path: `/#room=${room}`, open: async (page) => {
      await inRoom(page);
      await page.fill("#search-input", "Alice");
      await page.waitForSelector("#search-results .search-result");
    },
  },
  { name: "message-actions", who: "reader", path: `/#room=${room}`, open: async (page, { lang, phone }) => { await inRoom(page); await actionsOf(page, lang === "en" ? PARISA : ALICE, phone); } },
  {
    name: "reaction-picker", who: "reader", path: `/#room=${room}`, open: async (page, { lang, phone }) => {
      await inRoom(page);
      const item = await actionsOf(page, lang === "en" ? PARISA : ALICE, phone);
      await item.locator('[data-action="react"]').click();
      await page.waitForSelector(".reaction-picker");
    },
  },
  {
    name: "emoji-picker", who: "reader", path: `/#room=${room}`, open: async (page, { lang, phone }) => {
      await inRoom(page);
      const item = await actionsOf(page, lang === "en" ? PARISA : ALICE, phone);
      await item.locator('[data-action="react"]').click();
      await page.click(".reaction-picker .reaction-more");
      await page.waitForSelector("#emoji-picker[open] #emoji-grid [role=option]");
    },
  },
  {
    name: "emoji-suggestions", who: "reader", path: `/#room=${room}`, open: async (page) => {
      await inRoom(page);
      // The box may hold the draft an earlier visit left (drafts follow their owner
      // between page loads): start from an empty one once the page has fetched them.
      await page.waitForLoadState("networkidle");
      await page.fill("#composer-input", "");
      await page.focus("#composer-input");
      await page.keyboard.type(":smi");
      await page.waitForSelector("#autocomplete-list:not([hidden]) [role=option]");
    },
  },
  {
    name: "reply-composer", who: "reader", path: `/#room=${room}`, open: async (page, { lang, phone }) => {
      await inRoom(page);
      const item = await actionsOf(page, lang === "en" ? PARISA : ALICE, phone);
      await item.locator('[data-action="reply"]').click();
      await page.locator("#composer-context").waitFor({ state: "visible" });
    },
  },
  {
    name: "inline-editor", who: "reader", path: `/#room=${room}`, open: async (page, { lang, phone }) => {
      await inRoom(page);
      const item = await actionsOf(page, lang === "en" ? ALICE : PARISA, phone);
      await item.locator('[data-action="edit"]').click();
      await page.waitForSelector(".message-editor textarea");
    },
  },
  {
    name: "delete-confirm", who: "reader", path: `/#room=${room}`, open: async (page, { lang, phone }) => {
      await inRoom(page);
      const item = await actionsOf(page, lang === "en" ? ALICE : PARISA, phone);
      await item.locator('[data-action="delete"]').click();
      await page.locator("dialog#confirm-dialog[open]").waitFor();
    },
  },
  {
    name: "report-dialog", who: "reader", path: `/#room=${room}`, open: async (page, { lang, phone }) => {
      await inRoom(page);
      const item = await actionsOf(page, lang === "en" ? PARISA : ALICE, phone);
      await item.locator('[data-action="report"]').click();
      await page.locator("dialog#report-dialog[open]").waitFor();
    },
  },
  {
    // A thread opened from a message's "Reply in thread": the side panel (a sheet on a phone).
    name: "thread-panel", who: "reader", path: `/#room=${room}`, open: async (page, { lang, phone }) => {
      await inRoom(page);
      const item = await actionsOf(page, lang === "en" ? PARISA : ALICE, phone);
      await item.locator('[data-action="open-thread"]').click();
      await page.waitForSelector("#thread-panel:not([hidden]) #thread-view .thread-root [data-message-id]");
      await page.waitForFunction(() => document.querySelector("#thread-replies")?.getAttribute("aria-busy") === "false");
    },
  },
  {
    name: "thread-lists", who: "reader", path: `/#room=${room}`, open: async (page) => {
      await inRoom(page);
      await page.locator("#room-threads-button").click();
      await page.waitForSelector('#thread-panel:not([hidden]) #thread-list[aria-busy="false"]');
    },
  },
  {
    name: "image-viewer", who: "reader", path: `/#room=${room}`, open: async (page) => {
      await inRoom(page);
      await page.locator("#timeline .attachment-image").first().click();
      await page.locator("dialog#image-viewer[open] img").waitFor();
    },
  },
  { name: "create-room-dialog", who: "reader", path: `/#room=${room}`, open: async (page, { phone }) => { await inRoom(page); await viaSidebar(page, phone, "#create-room-button", "create-room-dialog"); } },
  {
    name: "join-dialog", who: "reader", path: `/#room=${room}`, open: async (page, { phone }) => {
      await inRoom(page);
      await viaSidebar(page, phone, "#join-room-button", "join-dialog");
      await page.waitForSelector('#public-rooms[aria-busy="false"] .public-room');
    },
  },
  {
    name: "dm-dialog", who: "reader", path: `/#room=${room}`, open: async (page, { phone }) => {
      await inRoom(page);
      await viaSidebar(page, phone, "#new-dm-button", "dm-dialog");
      await page.fill("#dm-search", "b");
      await page.waitForSelector("#dm-results .user-result");
    },
  },
  {
    name: "inbox-panel", who: "reader", path: `/#room=${room}`, open: async (page) => {
      await inRoom(page);
      await page.locator("#inbox-button").click();
      await page.waitForSelector("#inbox:not([hidden]) #inbox-permission, #inbox:not([hidden]) #inbox-list");
    },
  },
  { name: "room-notify-dialog", who: "reader", path: `/#room=${room}`, open: async (page) => { await inRoom(page); await dialog(page, "#room-notify-button", "room-notify-dialog"); } },
  { name: "poll-dialog", who: "reader", path: `/#room=${room}`, open: async (page) => { await inRoom(page); await dialog(page, "#poll-button", "poll-dialog"); } },
  { name: "leave-confirm", who: "reader", path: `/#room=${room}`, open: async (page) => { await inRoom(page); await dialog(page, "#room-leave-button", "confirm-dialog"); } },
  {
    name: "invite-dialog", who: "reader", path: `/#room=${privateRoom}`, open: async (page) => {
      await page.waitForSelector('#chat[data-view="room"] #room-invite-button:not([hidden])');
      await dialog(page, "#room-invite-button", "invite-dialog");
    },
  },
  {
    name: "profile-card", who: "reader", path: `/#room=${room}`, open: async (page) => {
      await inRoom(page);
      await card(page, "sami");
      await page.locator('#profile-card [data-profile-action="ban"]').waitFor();
    },
  },
  {
    name: "profile-own", who: "reader", path: `/#room=${room}`, open: async (page, { lang }) => {
      await inRoom(page);
      await card(page, READER[lang]);
      await page.locator("#profile-card #profile-edit").waitFor();
    },
  },
  { name: "mute-dialog", who: "reader", path: `/#room=${room}`, open: async (page) => { await moderation(page, "mute"); await page.locator("dialog#mute-dialog[open]").waitFor(); } },
  { name: "kick-confirm", who: "reader", path: `/#room=${room}`, open: async (page) => { await moderation(page, "kick"); await page.locator("dialog#confirm-dialog[open]").waitFor(); } },
  { name: "ban-confirm", who: "reader", path: `/#room=${room}`, open: async (page) => { await moderation(page, "ban"); await page.locator("dialog#confirm-dialog[open]").waitFor(); } },
  {
    name: "room-settings", who: "reader", path: `/#room=${room}`, open: async (page) => {
      await roomSettings(page);
      await page.waitForSelector('#room-settings-members [data-username="sami"] [data-member-action]');
    },
  },
  {
    name: "room-delete-confirm", who: "reader", path: `/#room=${room}`, open: async (page) => {
      await roomSettings(page);
      await page.locator("#room-settings-delete").click();
      await page.locator("dialog#room-delete-dialog[open]").waitFor();
      // A wrong name is refused in place: the error is part of the state.
      await page.fill("#room-delete-name", "not the name");
      await page.locator('#room-delete-dialog button[type="submit"]').click();
      await page.locator("#room-delete-dialog .dialog-error").waitFor();
    },
  },
  {
    name: "room-about", who: "member", path: `/#room=${room}`, open: async (page) => {
      await roomSettings(page);
      await page.waitForSelector("#room-settings-leave");
    },
  },
  {
    name: "switcher-results", who: "reader", path: `/#room=${room}`, open: (page, { phone }) =>
      switcher(page, phone, "lob", () => document.querySelector("#switcher-list [role=option][aria-selected=true] .switcher-name")?.textContent === "Lobby"),
  },
  {
    name: "switcher-empty", who: "reader", path: `/#room=${room}`, open: (page, { phone }) =>
      switcher(page, phone, "zzqqxx", () => document.querySelector("#switcher-list [role=option]") === null && document.getElementById("switcher-empty")?.textContent),
  },
  {
    name: "shortcuts-dialog", who: "reader", path: `/#room=${room}`, open: async (page) => {
      await inRoom(page);
      await page.evaluate(() => document.activeElement?.blur());
      await page.keyboard.press("Shift+Slash");
      await page.locator("dialog#shortcuts-dialog[open]").waitFor();
    },
  },
  {
    // Sami has written more than a page since the readers were last there: the room opens
    // at "New messages", scrolled up (so nothing is marked read), the jump button counting
    // what is below; then three mentions in the lobby make one pop-up.
    name: "unread", who: "reader", path: `/#room=${readingRoom}`,
    open: async (page, { lang }) => {
      await page.waitForSelector('#chat[data-view="room"] #timeline .unread-divider');
      await page.waitForFunction(() => document.querySelector("#timeline").getAttribute("aria-busy") === "false");
      await page.waitForFunction(() => !document.querySelector("#jump-latest").hidden && Number(document.querySelector("#jump-latest").dataset.count) > 0);
      for (const n of [1, 2, 3]) await postAsMember(lobby, `@${READER[lang]} look ${n}`);
      await page.waitForSelector(`#toasts [data-mention-room-id="${lobby}"][data-mentions="3"]`);
    },
  },
];

/** Sidebar buttons sit in the room drawer on a phone: open it first. */
async function viaSidebar(page, phone, opener, id) {
  if (phone) {
    await page.tap("#sidebar-toggle");
    await page.waitForSelector('#chat[data-sidebar="open"]');
  }
  await dialog(page, opener, id);
}

/** Runs axe on the page as it is now; returns its violations. */
async function axe(page) {
  // Colours are judged as painted: a toast still fading in (0.2 s, longer on a loaded
  // machine) blends into what is behind it. Finite animations end first; endless ones
  // (spinners) are left alone.
  await page.waitForFunction(() => document.getAnimations().every(
    (a) => a.playState !== "running" || a.effect?.getComputedTiming().endTime === Infinity));
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => {
        const data = n.any.find((c) => c.data?.contrastRatio)?.data;
        return {
          target: n.target.join(" "),
          contrast: data ? `${data.contrastRatio}:1 (needs ${data.expectedContrastRatio}; ${data.fgColor} on ${data.bgColor}, ${data.fontSize} ${data.fontWeight})` : "",
        };
      }),
    }));
  }, TAGS);
}

/**
 * Controls one can tap that are smaller than 44×44 CSS px. The hit area is the element's
 * box, joined with its <label>'s box for inputs (a tap on the label works the control).
 * Exempt, as WCAG 2.5.8 allows: links inside running text (a sentence around them). Only
 * what one can reach counts: shown, not transparent, and inside the open modal if there is
 * one (the page behind it is inert).
 */
async function smallTargets(page, min) {
  return page.evaluate((min) => {
    const SELECTOR = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]:not([tabindex='-1'])";
    const modal = document.querySelector("dialog[open]:modal");
    const inRunningText = (el) => {
      if (el.tagName !== "A") return false;
      const block = el.parentElement.closest("p, li, td, dd, blockquote, div");
      return block && block.textContent.trim().length > el.textContent.trim().length;
    };
    const small = [];
    for (const el of document.querySelectorAll(SELECTOR)) {
      if (el.disabled || el.closest("[inert]") || (modal && !modal.contains(el))) continue;
      if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      if (getComputedStyle(el).pointerEvents === "none" || inRunningText(el)) continue;
      let box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      const label = el.labels?.[0];
      if (label && label.checkVisibility()) {
        const l = label.getBoundingClientRect();
        const left = Math.min(box.left, l.left), top = Math.min(box.top, l.top);
        box = { width: Math.max(box.right, l.right) - left, height: Math.max(box.bottom, l.bottom) - top };
      }
      // Half a pixel of rounding is not a smaller target.
      if (box.width + 0.5 < min || box.height + 0.5 < min) {
        const name = el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""}`;
        small.push(`${name} "${(el.getAttribute("aria-label") || el.textContent || el.value || "").trim().slice(0, 24)}" ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return small;
  }, min);
}

const TOKENS = { en: { reader: enToken, newcomer: enNewcomer, member: enMember }, fa: { reader: faToken, newcomer: faNewcomer, member: faMember } };
const SHOTS = new Set(["thread-panel", "chat-room", "report-dialog", "login-error", "members-drawer", "admin", "profile-card", "room-settings", "room-about", "switcher-results", "shortcuts-dialog", "unread", "settings"]);

const only = (process.env.AXE_ONLY || "").split("|").filter(Boolean);
const browser = await launch();
const failures = [];
let violationsTotal = 0;
let smallTotal = 0;
try {
  for (const lang of ["en", "fa"]) {
    for (const scheme of ["light", "dark"]) {
      // Signed in, the page wears the theme one chose in the settings; signed out, the
      // system's (the context's colorScheme).
      for (const token of Object.values(TOKENS[lang])) {
        const saved = await fetch(`${base}/api/v1/users/me`, {
          method: "PATCH", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ theme: scheme }),
        });
        check(saved.ok, `the ${scheme} theme is saved (${saved.status})`);
      }
      for (const phone of [false, true]) {
        const device = phone ? "phone" : "desktop";
        const contexts = {};
        const contextFor = async (who) => {
          if (contexts[who]) return contexts[who];
          const context = await browser.newContext({
            locale: lang === "fa" ? "fa-IR" : "en-US",
            colorScheme: scheme,
            bypassCSP: true, // only so axe-core can be injected; the product's CSP stays strict
            ...(phone ? { viewport: PHONE, hasTouch: true, isMobile: true } : { viewport: DESKTOP }),
          });
          context.setDefaultTimeout(STEP_MS);
          if (who !== "visitor") await context.addCookies([{ name: "anjoman_session", value: TOKENS[lang][who], url: base }]);
          contexts[who] = context;
          return context;
        };
        for (const state of STATES) {
          if (state.phone && !phone) continue;
          const label = `${state.name} ${lang} ${scheme} ${device}`;
          if (only.length && !only.some((part) => label.includes(part))) continue;
          const page = await (await contextFor(state.who)).newPage();
          const errors = [];
          page.on("pageerror", (error) => errors.push(String(error)));
          await page.goto(`${base}${state.path}`);
          await state.open(page, { lang, phone });
          check((await page.getAttribute("html", "lang")).startsWith(lang), `${label}: the page is in ${lang}`);
          check((await page.getAttribute("html", "dir")) === (lang === "fa" ? "rtl" : "ltr"), `${label}: the page's direction`);
          const violations = await axe(page);
          const small = phone ? await smallTargets(page, MIN_TARGET) : [];
          const count = violations.reduce((n, v) => n + v.nodes.length, 0);
          violationsTotal += count;
          smallTotal += small.length;
          console.log(`${label}: ${count} axe violations${violations.length ? ` (${violations.map((v) => `${v.id}×${v.nodes.length}`).join(", ")})` : ""}${phone ? `, ${small.length} targets under ${MIN_TARGET} px` : ""}`);
          for (const v of violations) {
            for (const n of v.nodes) failures.push(`${label}: ${v.id} [${v.impact}] ${n.target}${n.contrast ? ` ${n.contrast}` : ""} (${v.help})`);
          }
          for (const s of small) failures.push(`${label}: tap target under ${MIN_TARGET} px: ${s}`);
          if (errors.length) failures.push(`${label}: script errors: ${errors.join("; ")}`);
          if (SHOTS.has(state.name)) await page.screenshot({ path: `${shots}/axe-${state.name}-${lang}-${scheme}-${device}.png` });
          await page.close();
        }
        for (const context of Object.values(contexts)) await context.close();
      }
    }
  }
  console.log(`total: ${violationsTotal} axe violations, ${smallTotal} tap targets under ${MIN_TARGET} px`);
  if (failures.length) {
    console.log(failures.join("\n"));
    process.exit(1);
  }
  console.log("browser: axe ok");
} finally {
  await browser.close();
}
