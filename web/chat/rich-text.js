// A message's rendered form (`html`, made and sanitized by the server) as DOM, without
// any path that could run script: the HTML is parsed into an inert document (DOMParser
// runs no script and loads nothing), then only allowed elements and attributes are
// copied into the page, rebuilt with createElement and textContent. So even a server
// bug or a stored message from an older version cannot bring a handler or a
// `javascript:` link onto the page.

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { state } from "./store.js";

const ATTRIBUTES = {
  a: ["href"],
  ol: ["start", "dir"],
  ul: ["dir"],
  li: ["dir"],
  p: ["dir"],
  blockquote: ["dir"],
  pre: ["dir"],
  code: ["class"],
  span: ["class", "data-username"],
  img: ["src", "alt", "title", "class"],
};
const TAGS = new Set(["p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "span", "img"]);
const LINK = /^(https?:|mailto:)/i;
const EMOJI_SRC = /^\/api\/v1\/emoji\/[A-Za-z0-9_]+$/;
const CLASS = /^(hl-[\w-]+|language-[\w+#.-]+|spoiler|mention|mention-special|link-host|emoji)$/;

function allowed(tag, name, value) {
  if (!(ATTRIBUTES[tag] || []).includes(name)) return null;
  if (name === "href") return LINK.test(value) ? value : null;
  if (name === "src") return EMOJI_SRC.test(value) ? value : null;
  if (name === "class") return value.split(/\s+/).filter((c) => CLASS.test(c)).join(" ") || null;
  if (name === "dir") return ["auto", "ltr", "rtl"].includes(value) ? value : null;
  if (name === "start") return /^\d{1,9}$/.test(value) ? value : null;
  return value;
}

function copy(node) {
  if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.data);
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const tag = node.localName;
  const children = [...node.childNodes].map(copy).filter(Boolean);
  // An element not on the list leaves its text behind, never itself.
  if (!TAGS.has(tag)) return children.length ? children : null;
  const el = document.createElement(tag);
  for (const { name, value } of node.attributes) {
    const kept = allowed(tag, name, value);
    if (kept != null) el.setAttribute(name, kept);
  }
  if (tag === "a") {
    el.target = "_blank";
    el.rel = "noopener noreferrer nofollow ugc";
  }
  el.append(...children.flat());
  decorate(el);
  return el;
}

/** What the client adds: the reader's own mentions stand out; spoilers open on demand. */
function decorate(el) {
  if (el.classList.contains("mention")) {
    const me = state.me?.username?.toLowerCase();
    if (el.classList.contains("mention-special") || (me && el.dataset.username?.toLowerCase() === me)) {
      el.classList.add("mention-me");
    }
  }
  if (el.classList.contains("spoiler")) {
    el.tabIndex = 0;
    el.setAttribute("role", "button");
    el.setAttribute("aria-expanded", "false");
    el.title = t("chat-spoiler-show");
    const reveal = (event) => {
      event.stopPropagation();
      const shown = el.classList.toggle("spoiler-shown");
      el.setAttribute("aria-expanded", String(shown));
    };
    el.addEventListener("click", reveal);
    el.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        reveal(event);
      }
    });
  }
}

function parse(html) {
  return new DOMParser().parseFromString(`<!doctype html><body>${html}`, "text/html").body;
}

/** The rendered message as nodes to append. Whitespace between blocks is dropped. */
export function richText(html) {
  const body = parse(html);
  return [...body.childNodes]
    .filter((node) => !(node.nodeType === Node.TEXT_NODE && !node.data.trim()))
    .map(copy)
    .flat()
    .filter(Boolean);
}

/** The rendered message's words, for previews: what a reader sees, without markup. */
export function richPlainText(html) {
  const body = parse(html);
  for (const br of body.querySelectorAll("br")) br.replaceWith(" ");
  for (const block of body.querySelectorAll("p, li, pre, blockquote")) block.append(" ");
  return body.textContent.replace(/\s+/g, " ").trim();
}

/** For a composer preview: the same rendering inside a container. */
export function richBlock(html, props = {}) {
  return h("div", { class: "message-body message-rich", dir: "auto", ...props }, richText(html));
}
