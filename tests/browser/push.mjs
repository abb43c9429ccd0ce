// Web Push in real headless Chromium, English and Persian: the page links a valid web app
// manifest (name, short_name, start_url, display standalone, theme colour, lang and dir,
// 192 and 512 px PNG icons that exist and have those sizes), the service worker registers
// at the site's root, and a push delivered through the DevTools protocol
// (`ServiceWorker.deliverPushMessage`, as the push service would hand it over, decrypted)
// shows a notification titled with the room, naming the sender, tagged by room, which the
// worker's registration lists (`getNotifications()`).
// Usage: node push.mjs <base> <room> <room name> <message id> <seq> (<lang> <token>)...
import { check, launch, openRoom } from "./lib.mjs";

const [base, room, roomName, messageId, seq, ...readers] = process.argv.slice(2);
if (!seq || readers.length % 2 !== 0) {
  console.error("usage: node push.mjs <base> <room> <room name> <message id> <seq> (<lang> <token>)...");
  process.exit(2);
}

async function manifestChecked(page, lang) {
  const href = await page.getAttribute('link[rel="manifest"]', "href");
  check(href === "/manifest.webmanifest", `${lang}: the page links the manifest (${href})`);
  const manifest = await page.evaluate(async (url) => {
    const resp = await fetch(url);
    return { type: resp.headers.get("content-type"), body: await resp.json() };
  }, href);
  check(manifest.type.startsWith("application/manifest+json"), `${lang}: manifest content type ${manifest.type}`);
  const m = manifest.body;
  const wantName = lang === "fa" ? "انجمن" : "Anjoman";
  check(m.name === wantName && m.short_name === wantName, `${lang}: manifest names ${JSON.stringify(m)}`);
  check(m.start_url === "/" && m.display === "standalone", `${lang}: start_url and display ${JSON.stringify(m)}`);
  check(/^#[0-9a-f]{6}$/i.test(m.theme_color), `${lang}: theme colour ${m.theme_color}`);
  check(m.lang === (lang === "fa" ? "fa-IR" : "en-US") && m.dir === (lang === "fa" ? "rtl" : "ltr"), `${lang}: lang/dir ${m.lang} ${m.dir}`);
  for (const size of [192, 512]) {
    const icon = m.icons.find((i) => i.sizes === `${size}x${size}`);
    check(icon && icon.type === "image/png", `${lang}: a ${size}px PNG icon ${JSON.stringify(m.icons)}`);
    const real = await page.evaluate(async (src) => {
      const resp = await fetch(src);
      const bitmap = await createImageBitmap(await resp.blob());
      return { ok: resp.ok, type: resp.headers.get("content-type"), width: bitmap.width, height: bitmap.height };
    }, icon.src);
    check(real.ok && real.type === "image/png" && real.width === size && real.height === size, `${lang}: icon ${icon.src} is ${JSON.stringify(real)}`);
  }
}

const browser = await launch();
try {
  for (let i = 0; i < readers.length; i += 2) {
    const [lang, token] = readers.slice(i, i + 2);
    const { context, page, errors } = await openRoom(browser, { base, token, lang, room, permissions: ["notifications"] });
    await manifestChecked(page, lang);

    // The worker, registered by the page at the root scope.
    const worker = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return { scope: registration.scope, script: registration.active.scriptURL };
    });
    check(worker.scope === `${base}/` && worker.script === `${base}/sw.js`, `${lang}: worker ${JSON.stringify(worker)}`);

    // A push, as the server writes it (see pushing.rs), delivered to the worker.
    const cdp = await context.newCDPSession(page);
    const registrationId = new Promise((resolve) => {
      cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
        const mine = registrations.find((r) => r.scopeURL === `${base}/` && !r.isDeleted);
        if (mine) resolve(mine.registrationId);
      });
    });
    await cdp.send("ServiceWorker.enable");
    const title = `#${roomName}`;
    const body = lang === "fa" ? "bob: سلام" : "bob: hello";
    const payload = {
      title, body, tag: `anjoman-room-${room}`, url: `/#room=${room}`,
      room_id: room, message_id: messageId, seq: Number(seq), count: 1,
      lang: lang === "fa" ? "fa-IR" : "en-US", dir: lang === "fa" ? "rtl" : "ltr",
    };
    const deliver = async () => cdp.send("ServiceWorker.deliverPushMessage", { origin: base, registrationId: await registrationId, data: JSON.stringify(payload) });
    await deliver();
    let shown = [];
    for (let tries = 0; shown.length === 0; tries += 1) {
      check(tries < 600, `${lang}: no notification was shown`);
      // A push handed to a worker that is still starting can be dropped by DevTools on a
      // loaded machine; a push service would retry, so the test hands it over again (the
      // same tag: at most one notification either way).
      if (tries > 0 && tries % 50 === 0) await deliver();
      shown = await page.evaluate(async () => {
        const registration = await navigator.serviceWorker.ready;
        return (await registration.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, dir: n.dir, data: n.data }));
      });
      if (shown.length === 0) await page.waitForTimeout(100);
    }
    const [note] = shown;
    check(note.title === title, `${lang}: the notification names the room (${note.title})`);
    check(note.body.includes("bob"), `${lang}: the notification names the sender (${note.body})`);
    check(note.tag === `anjoman-room-${room}`, `${lang}: one notification per room (${note.tag})`);
    check(note.dir === payload.dir, `${lang}: written ${payload.dir} (${note.dir})`);
    check(note.data.room_id === room && note.data.message_id === messageId, `${lang}: the click goes to the message ${JSON.stringify(note.data)}`);
    check(errors.length === 0, `${lang}: no script errors: ${errors}`);
    await context.close();
  }
  console.log("browser: push ok");
} finally {
  await browser.close();
}
