/**
 * Web Push in the page: registers the service worker (/sw.js, which shows pushes and opens
 * rooms), subscribes this device once the user has allowed notifications (from the
 * permission button's click, never on load), registers the subscription with the server,
 * and removes it on sign-out. Where push is unavailable (no service worker, no push
 * service, the server has it off) nothing happens: in-tab alerts remain.
 */
import { api } from "./api.js";

const supported = () => "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

let hooks = { open: async () => {} };

function registration() {
  return navigator.serviceWorker.register("/sw.js", { scope: "/" });
}

/** base64url → bytes, for `applicationServerKey`. */
function bytesOf(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const text = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Subscribes this device and tells the server (again, if it already was: harmless). */
export async function pushSubscribe() {
  if (!supported() || Notification.permission !== "granted") return;
  try {
    const worker = await registration();
    const config = await api("GET", "/api/v1/push/config");
    const subscription = (await worker.pushManager.getSubscription())
      || (await worker.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytesOf(config.public_key) }));
    const { endpoint, keys } = subscription.toJSON();
    await api("POST", "/api/v1/push/subscriptions", { endpoint, keys });
  } catch {
    // Push is off on the server, or this browser has no push service: nothing to do.
  }
}

/** Before signing out: this device gets no more pushes. */
export async function pushUnsubscribe() {
  if (!supported()) return;
  try {
    const worker = await navigator.serviceWorker.getRegistration("/");
    const subscription = await worker?.pushManager.getSubscription();
    if (!subscription) return;
    await api("DELETE", "/api/v1/push/subscriptions", { endpoint: subscription.endpoint }).catch(() => {});
    await subscription.unsubscribe();
  } catch {
    // The server drops it with the session anyway.
  }
}

/** A click on a push while this tab was open: the worker asks it to show the message. */
function onWorkerMessage(event) {
  const data = event.data || {};
  if (data.type !== "anjoman.open" || !data.room_id) return;
  // A reply kept in its thread opens in its thread.
  const message = data.thread_id ? { id: data.message_id, seq: data.seq, thread_id: data.thread_id } : null;
  hooks.open(data.room_id, data.message_id, data.seq, message);
}

export function initPush(nextHooks) {
  hooks = { ...hooks, ...nextHooks };
  if (!supported()) return;
  navigator.serviceWorker.addEventListener("message", onWorkerMessage);
  // The worker makes the app installable; registering it asks the user nothing.
  registration().then(() => pushSubscribe(), () => {});
}
