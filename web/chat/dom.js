// The one way this client builds markup: elements and text nodes, never HTML strings.
// Everything users write reaches the page through textContent, so it can never become
// markup or script, whatever it contains.

const PROPERTIES = new Set(["value", "checked", "disabled", "hidden", "selected", "multiple", "required", "indeterminate"]);

/**
 * `h("button", { class: "x", dataset: { id }, onclick }, "text", child)`.
 * Strings become text nodes; null/false children are skipped; arrays are flattened.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value == null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "text") el.textContent = value;
    else if (key === "dataset") {
      for (const [name, v] of Object.entries(value)) if (v != null) el.dataset[name] = String(v);
    } else if (key.startsWith("on")) {
      // Listeners only as functions: a string here would be an inline handler.
      if (typeof value === "function") el.addEventListener(key.slice(2), value);
    } else if (PROPERTIES.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** User-written text: isolated, so a Persian name in an English line (or the reverse) keeps its order. */
export function userText(text, tag = "bdi", props = {}) {
  return h(tag, { dir: "auto", ...props }, text);
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

/**
 * Resolves after the browser has had a turn: start-up work split by these runs as several
 * short tasks, so a tap or a paint never waits behind all of it at once.
 */
export function yieldToBrowser() {
  if (globalThis.scheduler?.yield) return globalThis.scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export function byId(id) {
  return document.getElementById(id);
}

/** An icon-only button: the glyph comes from CSS, the name from the label. */
export function iconButton(icon, label, props = {}) {
  return h("button", {
    type: "button",
    class: `icon-button icon-${icon} ${props.class || ""}`.trim(),
    "aria-label": label,
    title: label,
    ...Object.fromEntries(Object.entries(props).filter(([k]) => k !== "class")),
  });
}
