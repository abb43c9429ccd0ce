// The image viewer: a click on a picture in the timeline opens it large in the page (a
// native modal <dialog>, so focus is trapped, Escape closes it and focus goes back to the
// thumbnail) instead of the raw file in a new tab. Arrow keys and buttons step through the
// pictures of the open room, in reading order (reversed for right-to-left pages); a
// download link keeps the file one click away. Ctrl/Cmd/Shift-click still opens a tab.

import { byId, h, iconButton } from "./dom.js";
import { formatNumber, t } from "./i18n.js";

let dialog = null;
let pictures = [];
let index = 0;

function show(at) {
  index = (at + pictures.length) % pictures.length;
  const link = pictures[index];
  const name = link.querySelector("img")?.alt || "";
  const image = dialog.querySelector(".viewer-image");
  image.src = link.href;
  image.alt = name;
  // A <bdi> keeps the name's own direction while the bar follows the page's.
  dialog.querySelector(".viewer-name").replaceChildren(h("bdi", {}, name));
  dialog.querySelector(".viewer-position").textContent =
    t("chat-viewer-position", { index: formatNumber(index + 1), count: formatNumber(pictures.length) });
  const download = dialog.querySelector(".viewer-download");
  download.href = link.href;
  download.download = name;
  for (const button of dialog.querySelectorAll(".viewer-step")) button.hidden = pictures.length < 2;
}

/** Opens the viewer on the picture `link` points at, among the open room's pictures. */
export function openViewer(link) {
  pictures = [...byId("timeline").querySelectorAll(".attachment-image")];
  const opener = link;
  const step = (by) => () => show(index + by);
  dialog = h("dialog", { id: "image-viewer", class: "viewer", "aria-label": t("chat-viewer-label") },
    h("div", { class: "viewer-bar" },
      h("span", { class: "viewer-name" }),
      h("span", { class: "viewer-position" }),
      h("a", { class: "icon-link icon-download viewer-download", "aria-label": t("chat-viewer-download"), title: t("chat-viewer-download") }),
      iconButton("close", t("chat-close"), { class: "viewer-close" })),
    h("div", { class: "viewer-stage" },
      iconButton("back", t("chat-viewer-previous"), { class: "viewer-step viewer-previous" }),
      h("img", { class: "viewer-image", alt: "" }),
      iconButton("forward", t("chat-viewer-next"), { class: "viewer-step viewer-next" })));
  dialog.querySelector(".viewer-close").addEventListener("click", () => dialog.close());
  dialog.querySelector(".viewer-previous").addEventListener("click", step(-1));
  dialog.querySelector(".viewer-next").addEventListener("click", step(1));
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    event.preventDefault();
    const forward = (event.key === "ArrowRight") !== (document.documentElement.dir === "rtl");
    show(index + (forward ? 1 : -1));
  });
  // A click on the backdrop (outside the picture and its bar) closes, as in every viewer.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog || event.target.classList.contains("viewer-stage")) dialog.close();
  });
  dialog.addEventListener("close", () => {
    dialog.remove();
    dialog = null;
    if (opener.isConnected) opener.focus();
  });
  document.body.append(dialog);
  show(Math.max(0, pictures.indexOf(link)));
  dialog.showModal();
  dialog.querySelector(".viewer-close").focus();
}

