// One message as DOM: author, time, edited mark, reply quote, body (the server's rendering,
// rebuilt element by element in rich-text.js, never inserted as HTML), attachments, link
// previews, poll, reactions and the action toolbar. Clicks are handled by delegation in timeline.js via `data-action`.

import { h, iconButton, userText } from "./dom.js";
import { formatDateTime, formatNumber, formatRelative, formatSize, formatTime, t } from "./i18n.js";
import { renderPoll } from "./polls.js";
import { richPlainText, richText } from "./rich-text.js";
import { canModerate, isPinned, isSaved, mayPin, state } from "./store.js";

/** The fixed reaction set offered in the picker (any emoji may still arrive from others). */
export const EMOJI = ["👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "👀"];

/** Longer bodies are folded until "Show more"; the ids the reader unfolded stay open. */
const FOLD_CHARS = 1200;
export const unfolded = new Set();

/** The message being edited inline: { id, draft }, or null. */
export const editing = { id: null, draft: "" };

export function authorName(user) {
  return user ? user.display_name || user.username : t("chat-unknown-user");
}

/** A stable color slot (0–7) for a user, so avatars differ without inline styles. */
function hue(id = "") {
  let sum = 0;
  for (const char of id) sum = (sum * 31 + char.charCodeAt(0)) >>> 0;
  return sum % 8;
}

export function avatar(user) {
  const name = authorName(user);
  const initial = h("span", { class: `avatar avatar-hue-${hue(user?.id)}`, "aria-hidden": "true" },
    [...name.trim()][0]?.toUpperCase() || "?");
  if (!user?.avatar_url) return initial;
  // The picture covers the initial; if it fails to load, the initial stays.
  const picture = h("img", { class: "avatar-picture", src: user.avatar_url, alt: "", loading: "lazy" });
  picture.addEventListener("error", () => picture.remove());
  initial.append(picture);
  return initial;
}

function mentionsMe(text) {
  const me = state.me?.username;
  if (!me || !text) return false;
  return new RegExp(`(^|[^\\p{L}\\p{N}_.@-])@${me.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\p{L}\\p{N}_])`, "iu").test(text);
}

function snippet(text, max = 120) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Short text for previews (room list, reply quotes). */
export function previewText(message) {
  if (!message) return "";
  if (message.deleted) return t("chat-message-deleted");
  if (message.poll_id || message.kind === "poll") return t("chat-preview-poll", { question: snippet(message.body, 60) });
  // The words as they read, not the Markdown typed (a preview shows no `**`).
  if (message.body) return snippet(message.html ? richPlainText(message.html) : message.body, 80);
  if (message.attachments?.length) return t("chat-preview-files", { count: message.attachments.length });
  return "";
}

function replyQuote(message, room) {
  if (!message.reply_to) return null;
  const original = room.timeline?.messages.get(message.reply_to);
  return h("button", {
    type: "button",
    class: "message-reply",
    dataset: { action: "goto", targetId: message.reply_to },
  },
  // The name says what the button does, then what it shows: the visible words stay part of
  // the name, for people who speak to their device.
  h("span", { class: "visually-hidden" }, t("chat-reply-jump"), " "),
  original
    ? [userText(authorName(original.author), "bdi", { class: "message-reply-author" }),
      h("span", { class: "message-reply-text", dir: "auto" }, previewText(original))]
    : h("span", { class: "message-reply-text" }, t("chat-reply-unavailable")));
}

/**
 * "Forwarded from #room · author" above a forwarded copy. The server sends the source's ids
 * only to those who may open it; then the line is a link to the original.
 */
function forwardedHeader(message) {
  const from = message.forwarded_from;
  if (!from) return null;
  const room = from.room_kind === "direct" || !from.room_name ? t("chat-forwarded-direct") : `#${from.room_name}`;
  const author = from.author_display_name || from.author_username || t("chat-unknown-user");
  const text = t("chat-forwarded-from", { room, author });
  const time = formatDateTime(from.created_at);
  if (from.room_id && from.message_id) {
    return h("button", {
      type: "button",
      class: "message-forwarded message-forwarded-link",
      title: time,
      dataset: { action: "open-forwarded", roomId: from.room_id, targetId: from.message_id },
    }, h("span", { class: "visually-hidden" }, t("chat-forwarded-jump"), " "), h("bdi", { dir: "auto" }, text));
  }
  return h("p", { class: "message-forwarded", title: time }, h("bdi", { dir: "auto" }, text));
}

function attachments(message) {
  if (!message.attachments?.length) return null;
  return h("div", { class: "attachments" }, message.attachments.map((file) => {
    if (file.thumbnail_url) {
      // Give the thumbnail its final size up front, so it does not push the timeline when it loads.
      const longest = Math.max(file.width || 320, file.height || 320);
      const scale = Math.min(1, 320 / longest);
      return h("a", { class: "attachment attachment-image", href: file.url, target: "_blank", rel: "noopener", dataset: { fileId: file.id } },
        h("img", {
          src: file.thumbnail_url, alt: file.name, loading: "lazy",
          width: file.width ? Math.round(file.width * scale) : null,
          height: file.height ? Math.round(file.height * scale) : null,
        }));
    }
    return h("a", { class: "attachment attachment-file", href: file.url, download: file.name, dataset: { fileId: file.id } },
      h("span", { class: "attachment-icon", "aria-hidden": "true" }),
      userText(file.name, "bdi", { class: "attachment-name" }),
      h("span", { class: "attachment-size" }, formatSize(file.size)));
  }));
}

/**
 * Link previews under the body: title (a link), site name, description and the picture the
 * server re-encoded. Every text comes from another site, so it is set as text only; the
 * author gets a button to take a preview away.
 */
function embeds(message) {
  if (!message.embeds?.length) return null;
  const own = message.author?.id === state.me.id;
  return h("div", { class: "embeds" }, message.embeds.map((embed) => {
    const link = (props, ...children) => h("a", {
      href: embed.url, target: "_blank", rel: "noopener noreferrer nofollow ugc", ...props,
    }, ...children);
    const scale = Math.min(1, 80 / Math.max(embed.image_width || 80, embed.image_height || 80));
    return h("div", { class: "embed", dataset: { position: embed.position } },
      h("div", { class: "embed-text" },
        embed.site_name ? userText(embed.site_name, "div", { class: "embed-site" }) : null,
        link({ class: "embed-title", dir: "auto" }, embed.title || embed.url),
        embed.description ? userText(embed.description, "p", { class: "embed-description" }) : null),
      embed.image_url
        ? link({ class: "embed-picture", tabindex: "-1", "aria-hidden": "true" },
          h("img", {
            src: embed.image_url, alt: "", loading: "lazy",
            width: embed.image_width ? Math.round(embed.image_width * scale) : null,
            height: embed.image_height ? Math.round(embed.image_height * scale) : null,
          }))
        : null,
      own ? iconButton("close", t("chat-embed-remove"), { class: "embed-remove", dataset: { action: "remove-embed", position: embed.position } }) : null);
  }));
}

/** A reaction as shown: the emoji, or a custom emoji's picture (its `:name:` if it is gone). */
function reactionGlyph(emoji) {
  const custom = /^:([a-z0-9_]{2,32}):$/.exec(emoji);
  if (!custom) return emoji;
  const picture = h("img", { class: "emoji-custom", src: `/api/v1/emoji/${custom[1]}`, alt: emoji, title: emoji });
  picture.addEventListener("error", () => picture.replaceWith(emoji));
  return picture;
}

function reactions(message) {
  if (!message.reactions?.length) return null;
  const me = state.me.username;
  return h("div", { class: "reactions" }, message.reactions.map((reaction) => {
    const mine = reaction.users?.includes(me);
    const label = t("chat-reaction-label", { emoji: reaction.emoji, count: reaction.count, names: (reaction.users || []).join(", ") });
    return h("button", {
      type: "button",
      class: mine ? "reaction reaction-mine" : "reaction",
      "aria-pressed": mine ? "true" : "false",
      title: label,
      dataset: { action: "toggle-reaction", emoji: reaction.emoji },
    }, h("span", { class: "reaction-emoji" }, reactionGlyph(reaction.emoji)),
    h("span", { class: "reaction-count" }, formatNumber(reaction.count)),
    // Named by what it shows (emoji and count), then who reacted.
    h("span", { class: "visually-hidden" }, " ", t("chat-reaction-by", { names: (reaction.users || []).join(", ") })));
  }));
}

function toolbar(message, room, inThread) {
  if (message.deleted) return null;
  const own = message.author?.id === state.me.id;
  const buttons = [iconButton("react", t("chat-react-button"), { dataset: { action: "react" } })];
  // In the thread panel the box below is the reply; a thread has no threads of its own.
  if (!inThread) buttons.push(iconButton("reply", t("chat-reply-button"), { dataset: { action: "reply" } }));
  if (!inThread && !message.thread_id) {
    buttons.push(iconButton("thread", t("chat-thread-reply-button"), { dataset: { action: "open-thread", threadId: message.id }, "aria-haspopup": "dialog" }));
  }
  if (own && message.kind === "text" && !message.forwarded_from) buttons.push(iconButton("edit", t("chat-edit-button"), { dataset: { action: "edit" } }));
  if (own || canModerate(room)) buttons.push(iconButton("delete", t("chat-delete-button"), { dataset: { action: "delete" } }));
  if (mayPin(room)) {
    const pinned = isPinned(room, message.id);
    buttons.push(iconButton("pin", t(pinned ? "chat-unpin-button" : "chat-pin-button"), { class: pinned ? "is-on" : "", dataset: { action: "pin" }, "aria-pressed": pinned ? "true" : "false" }));
  }
  const saved = isSaved(message.id);
  buttons.push(iconButton("bookmark", t(saved ? "chat-unsave-button" : "chat-save-button"), { class: saved ? "is-on" : "", dataset: { action: "save" }, "aria-pressed": saved ? "true" : "false" }));
  if (message.kind === "text") buttons.push(iconButton("forward", t("chat-forward-button"), { dataset: { action: "forward" } }));
  if (!own && message.author) buttons.push(iconButton("report", t("chat-report-button"), { dataset: { action: "report" } }));
  return h("div", { class: "message-actions", role: "toolbar", "aria-label": t("chat-message-actions") }, buttons);
}

function editor(message) {
  const input = h("textarea", {
    class: "message-editor-input", dir: "auto", rows: 2, "aria-label": t("chat-edit-label"),
    maxlength: state.limits.message_max_chars || 4000, dataset: { editorFor: message.id },
  });
  input.value = editing.draft;
  return h("div", { class: "message-editor" }, input,
    h("div", { class: "message-editor-buttons" },
      h("span", { class: "message-editor-hint" }, t("chat-edit-hint")),
      h("button", { type: "button", class: "button-secondary", dataset: { action: "edit-cancel" } }, t("chat-cancel")),
      h("button", { type: "button", class: "button-primary", dataset: { action: "edit-save" } }, t("chat-save"))));
}

/**
 * Under a thread's root: how many replies, who wrote the latest (up to 3 faces) and when;
 * a click opens the thread.
 */
function threadSummary(message) {
  const summary = message.thread;
  if (!summary?.reply_count || message.thread_id) return null;
  return h("button", {
    type: "button", class: "thread-summary", title: formatDateTime(summary.last_reply_at),
    "aria-haspopup": "dialog", dataset: { action: "open-thread", threadId: message.id },
  },
  h("span", { class: "thread-summary-faces", "aria-hidden": "true" }, summary.repliers.slice(0, 3).map((user) => avatar(user))),
  h("span", { class: "visually-hidden" }, t("chat-thread-open"), " "),
  h("span", { class: "thread-summary-count" }, t("chat-thread-replies", { count: summary.reply_count })),
  h("span", { class: "thread-summary-time" }, t("chat-thread-last-reply", { when: formatRelative(summary.last_reply_at) })));
}

/** A reply also sent to the room says where it belongs, and opens its thread. */
function threadLink(message) {
  if (!message.thread_id) return null;
  return h("button", {
    type: "button", class: "message-thread-link", "aria-haspopup": "dialog",
    dataset: { action: "open-thread", threadId: message.thread_id },
  }, t("chat-thread-replied-in"));
}

/**
 * Builds a message element. `continued`: same author as the one before, shortly after.
 * `inThread`: drawn in the thread panel (no thread summary, link or thread button).
 */
export function renderMessage(message, room, continued, { inThread = false } = {}) {
  const own = message.author?.id === state.me.id;
  const classes = ["message"];
  if (own) classes.push("message-own");
  if (continued) classes.push("message-continued");
  if (message.deleted) classes.push("message-deleted");
  if (!own && !message.deleted && mentionsMe(message.body)) classes.push("message-mentions-me");

  const time = h("time", { datetime: message.created_at, title: formatDateTime(message.created_at) }, formatTime(message.created_at));
  // A name opens the person's profile card (yours too); writing to them is one click further.
  const author = message.author
    ? h("button", { type: "button", class: "message-author", dataset: { action: "profile", username: message.author.username }, title: `@${message.author.username}`, "aria-haspopup": "dialog" },
      userText(authorName(message.author)))
    : h("span", { class: "message-author" }, userText(authorName(message.author)));
  const edited = message.edited_at && !message.deleted
    ? h("span", { class: "message-edited", dir: document.documentElement.dir, title: formatDateTime(message.edited_at) }, t("chat-edited"))
    : null;
  // A continued message hides its header from sight, so its edited mark moves to the end
  // of the body, where people look for it.
  const header = h("div", { class: "message-header" }, author, time, continued ? null : edited);

  let content;
  if (message.deleted) {
    content = h("p", { class: "message-body message-body-deleted" }, t("chat-message-deleted"));
  } else if (editing.id === message.id) {
    content = editor(message);
  } else if (message.poll_id) {
    content = renderPoll(message.poll_id, room);
  } else if (message.body) {
    content = h("div", { class: "message-body message-rich", dir: "auto" }, richText(message.html ?? ""));
    if (message.body.length > FOLD_CHARS && !unfolded.has(message.id)) content.classList.add("message-body-folded");
  }
  let trailingEdited = null;
  if (continued && edited && editing.id !== message.id) {
    // Inside the last paragraph, so it sits at the end of the text, not on a line of its own.
    if (content?.classList.contains("message-body")) (content.querySelector(":scope > p:last-child") || content).append(" ", edited);
    else trailingEdited = h("div", { class: "message-edited-line" }, edited);
  }

  return h("article", {
    class: classes.join(" "),
    id: `message-${message.id}`,
    tabindex: "-1",
    dataset: { messageId: message.id, seq: message.seq, author: message.author?.username || "" },
  },
  h("div", { class: "message-gutter" }, continued ? h("span", { class: "message-gutter-time", "aria-hidden": "true" }, formatTime(message.created_at)) : avatar(message.author)),
  h("div", { class: "message-main" },
    continued ? h("div", { class: "visually-hidden" }, header) : header,
    message.deleted || inThread ? null : threadLink(message),
    message.deleted ? null : replyQuote(message, room),
    message.deleted ? null : forwardedHeader(message),
    content,
    message.body?.length > FOLD_CHARS && !message.deleted && editing.id !== message.id
      ? h("button", { type: "button", class: "message-fold", "aria-expanded": String(unfolded.has(message.id)), dataset: { action: "fold" } },
        t(unfolded.has(message.id) ? "chat-show-less" : "chat-show-more"))
      : null,
    trailingEdited,
    message.deleted ? null : attachments(message),
    message.deleted ? null : embeds(message),
    message.deleted ? null : reactions(message),
    inThread ? null : threadSummary(message),
  ),
  editing.id === message.id ? null : toolbar(message, room, inThread));
}
