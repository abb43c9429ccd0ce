// The WebSocket to /ws: request/reply by `ref`, events to listeners, and reconnection
// with exponential backoff plus jitter (so a restarted server is not hit by every client
// in the same instant). Resuming rooms after a reconnect is sync.js's job; this module
// only says "ready again".

const REQUEST_TIMEOUT_MS = 10_000;
const PING_EVERY_MS = 25_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 15_000;
/** Failed attempts after which we call it "offline" rather than "reconnecting". */
const OFFLINE_AFTER = 6;
/** Close codes after which retrying with the same cookie is pointless. */
const AUTH_CLOSE_CODES = new Set([4001, 4003]);

export class SocketError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

class Socket {
  constructor() {
    this.ws = null;
    this.status = "connecting";
    this.attempt = 0;
    this.nextRef = 1;
    this.pending = new Map();
    this.listeners = new Map();
    this.readyOnce = false;
    this.retryTimer = null;
    this.pingTimer = null;
    this.stopped = false;
  }

  /** `on("ready" | "event" | "status" | "auth-lost", fn)`. */
  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
  }

  emit(type, detail) {
    for (const fn of this.listeners.get(type) || []) {
      try {
        fn(detail);
      } catch (error) {
        console.warn("socket listener failed", error);
      }
    }
  }

  setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.emit("status", status);
  }

  get open() {
    return this.ws?.readyState === WebSocket.OPEN && this.status === "connected";
  }

  connect() {
    this.stopped = false;
    clearTimeout(this.retryTimer);
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    let ws;
    try {
      ws = new WebSocket(`${scheme}://${location.host}/ws`);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onmessage = (event) => this.onFrame(event.data);
    ws.onclose = (event) => this.onClose(ws, event);
    // onerror is always followed by onclose, which does the work.
    ws.onerror = () => {};
  }

  /** Stops for good (sign-out, page leaving). */
  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.ws?.close(1000);
  }

  /** Retry now (the browser came back online, the tab became visible). */
  retrySoon() {
    if (this.stopped || this.status === "connected") return;
    this.attempt = 0;
    this.connect();
  }

  onFrame(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (frame.type === "ready") {
      const first = !this.readyOnce;
      this.readyOnce = true;
      this.attempt = 0;
      this.setStatus("connected");
      this.startPings();
      this.emit("ready", { first, user: frame.data?.user });
      return;
    }
    if ((frame.type === "ack" || frame.type === "error") && frame.ref != null) {
      const waiter = this.pending.get(String(frame.ref));
      if (waiter) {
        this.pending.delete(String(frame.ref));
        clearTimeout(waiter.timer);
        if (frame.type === "ack") waiter.resolve(frame.data);
        else waiter.reject(new SocketError(frame.data?.code || "error", frame.data?.message || ""));
      }
      return;
    }
    this.emit("event", frame);
  }

  onClose(ws, event) {
    if (ws !== this.ws) return;
    this.ws = null;
    clearInterval(this.pingTimer);
    for (const [, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.reject(new SocketError("offline", ""));
    }
    this.pending.clear();
    if (this.stopped) return;
    if (AUTH_CLOSE_CODES.has(event.code)) this.emit("auth-lost", event.code);
    this.scheduleRetry();
  }

  scheduleRetry() {
    if (this.stopped) return;
    this.attempt += 1;
    this.setStatus(!navigator.onLine || this.attempt > OFFLINE_AFTER ? "offline" : "reconnecting");
    // Full jitter on an exponential ceiling: spreads a crowd of reconnecting clients.
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (this.attempt - 1));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  startPings() {
    clearInterval(this.pingTimer);
    // The server drops a peer silent for 30 s, and a half-open TCP connection never
    // fires `close`: an unanswered ping is how we notice and start over.
    this.pingTimer = setInterval(() => {
      this.request("ping").catch(() => this.ws?.close(4000));
    }, PING_EVERY_MS);
  }

  /** Sends an op; resolves with the ack's data or rejects with SocketError(code, message). */
  request(op, fields = {}) {
    if (!this.open) return Promise.reject(new SocketError("offline", ""));
    const ref = String(this.nextRef++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new SocketError("timeout", ""));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(ref, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ op, ref, ...fields }));
    });
  }
}

/** The page's one connection. */
export const socket = new Socket();
