/*
 * Anjoman's service worker, served as /sw.js so its scope is the whole site. It shows the
 * Web Push notifications the server sends (their title and body are written by the server
 * in the reader's language, already obeying what they chose to show), one per room (the
 * tag), and on a click focuses an open Anjoman tab at the message, or opens a new one there.
 */
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  const options = {
    body: data.body || "",
    tag: data.tag || "anjoman",
    renotify: true,
    lang: data.lang || "",
    dir: data.dir === "rtl" ? "rtl" : "ltr",
    icon: "/static/icons/icon-192.png",
    data: { url: data.url || "/", room_id: data.room_id, message_id: data.message_id, seq: data.seq },
  };
  event.waitUntil(self.registration.showNotification(data.title || "Anjoman", options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  const target = new URL(data.url || "/", self.location.origin);
  // Only ever our own pages.
  if (target.origin !== self.location.origin) return;
  event.waitUntil((async () => {
    const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const open = tabs.find((tab) => new URL(tab.url).origin === self.location.origin);
    if (open) {
      open.postMessage({
        type: "anjoman.open", room_id: data.room_id, message_id: data.message_id, seq: data.seq, thread_id: data.thread_id,
      });
      return open.focus();
    }
    return self.clients.openWindow(target.href);
  })());
});
