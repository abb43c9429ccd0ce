// User actions, sent over the socket when it is up and over REST when it is not, so a
// message typed during a reconnect still goes out. An op already on the wire when the
// socket dropped is NOT retried: it may have been stored, and a retry could double it.

import { api } from "./api.js";
import { t } from "./i18n.js";
import { SocketError, socket } from "./socket.js";

const path = (id) => encodeURIComponent(id);

const REST = {
  send: (f) => ["POST", `/api/v1/rooms/${path(f.room_id)}/messages`,
    {
      body: f.body, reply_to: f.reply_to ?? undefined, attachments: f.attachments ?? [],
      thread_id: f.thread_id ?? undefined, also_to_room: f.also_to_room ?? undefined,
    }],
  edit: (f) => ["PATCH", `/api/v1/messages/${path(f.message_id)}`, { body: f.body }],
  delete: (f) => ["DELETE", `/api/v1/messages/${path(f.message_id)}`],
  react: (f) => ["PUT", `/api/v1/messages/${path(f.message_id)}/reactions/${path(f.emoji)}`],
  unreact: (f) => ["DELETE", `/api/v1/messages/${path(f.message_id)}/reactions/${path(f.emoji)}`],
  vote: (f) => f.option_ids.length
    ? ["POST", `/api/v1/polls/${path(f.poll_id)}/votes`, { option_ids: f.option_ids }]
    : ["DELETE", `/api/v1/polls/${path(f.poll_id)}/votes`],
  read: (f) => ["POST", `/api/v1/rooms/${path(f.room_id)}/read`, { seq: f.seq }],
};

/** Runs `op`; resolves with the stored object, rejects with a localized Error. */
export async function perform(op, fields) {
  if (socket.open) {
    try {
      return await socket.request(op, fields);
    } catch (error) {
      if (error instanceof SocketError && !error.message) {
        throw new SocketError(error.code, t(error.code === "timeout" ? "chat-error-timeout" : "chat-error-connection-lost"));
      }
      throw error;
    }
  }
  const rest = REST[op];
  if (!rest) throw new SocketError("offline", t("chat-error-offline"));
  const [method, url, body] = rest(fields);
  return api(method, url, body);
}

/** Best-effort ops whose loss does not matter (typing). */
export function fireAndForget(op, fields) {
  if (socket.open) socket.request(op, fields).catch(() => {});
}
