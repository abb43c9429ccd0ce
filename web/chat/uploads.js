// Files: picked with the button, dropped on the room or pasted into the composer. Each is
// checked against the server's limits first (so nobody waits for a refusal), previewed
// (images, from a local object URL), and uploaded at once with `send=false` and a
// progress bar; Send then posts one message carrying every finished upload.

import { uploadForm } from "./api.js";
import { byId, h, iconButton, userText } from "./dom.js";
import { formatSize, t } from "./i18n.js";
import { toast } from "./notify.js";
import { activeRoom, state } from "./store.js";

/** Names the server accepts under another spelling. */
const ALIASES = { jpeg: "jpg" };

function extension(name) {
  const dot = name.lastIndexOf(".");
  if (dot < 0) return "";
  const ext = name.slice(dot + 1).toLowerCase();
  return ALIASES[ext] || ext;
}

function refusal(file) {
  const { max_file_bytes: max, allowed_types: allowed } = state.limits;
  if (max && file.size > max) return t("chat-file-too-large", { name: file.name, max: formatSize(max) });
  if (file.size === 0) return t("chat-file-empty", { name: file.name });
  const allowedSet = new Set((allowed || []).map((e) => ALIASES[e] || e));
  if (allowedSet.size && !allowedSet.has(extension(file.name))) {
    return t("chat-file-type-not-allowed", { name: file.name, types: [...allowedSet].join(", ") });
  }
  return null;
}

/**
 * One tray of files for one message box (the room composer, the thread panel's box): each
 * keeps its own uploads, so a file meant for a thread is never sent to the room.
 */
export function createUploads(tray) {
  let items = [];

  function updateTray() {
    tray.hidden = items.length === 0;
  }

  function remove(item) {
    if (item.state === "uploading") item.abort?.();
    if (item.preview) URL.revokeObjectURL(item.preview);
    item.el.remove();
    items = items.filter((i) => i !== item);
    updateTray();
  }

  function start(file, room) {
    const item = { file, room: room.id, state: "uploading", fileId: null, preview: null, el: null };
    if (file.type.startsWith("image/")) item.preview = URL.createObjectURL(file);
    const progress = h("progress", { class: "upload-progress", max: 1, value: 0, "aria-label": t("chat-upload-progress", { name: file.name }) });
    const cancel = iconButton("close", t("chat-upload-remove", { name: file.name }), { class: "upload-remove" });
    item.el = h("li", { class: "upload", dataset: { uploadState: "uploading" } },
      item.preview
        ? h("img", { class: "upload-preview", src: item.preview, alt: "" })
        : h("span", { class: "upload-preview upload-preview-file", "aria-hidden": "true" }),
      h("span", { class: "upload-info" },
        userText(file.name, "bdi", { class: "upload-name" }),
        h("span", { class: "upload-size" }, formatSize(file.size))),
      progress, cancel);
    cancel.addEventListener("click", () => remove(item));
    tray.append(item.el);
    items.push(item);
    updateTray();

    const form = new FormData();
    form.append("room_id", room.id);
    form.append("send", "false");
    form.append("file", file, file.name);
    const { promise, abort } = uploadForm("/api/v1/files", form, (fraction) => {
      progress.value = fraction;
    });
    item.abort = abort;
    promise.then((reply) => {
      item.state = "done";
      item.fileId = reply?.file?.id;
      progress.value = 1;
      item.el.dataset.uploadState = "done";
    }).catch((error) => {
      if (error.code === "aborted") return;
      toast(t("chat-upload-failed", { name: file.name, reason: error.message }), "error");
      remove(item);
    });
  }

  updateTray();
  return {
    /** Checks and starts uploading files into the open room. */
    add(fileList) {
      const room = activeRoom();
      if (!room) return;
      for (const file of fileList) {
        const reason = refusal(file);
        if (reason) toast(reason, "error");
        else start(file, room);
      }
    },
    /** True while any upload is still on its way. */
    busy: () => items.some((i) => i.state === "uploading"),
    /** Ids of finished uploads for this room, ready to attach to a message. */
    readyIds: (roomId) => items.filter((i) => i.state === "done" && i.room === roomId && i.fileId).map((i) => i.fileId),
    /** Empties the tray (after sending, or when leaving the room or thread). */
    clear() {
      for (const item of [...items]) remove(item);
    },
  };
}

/** The attach button (with its hidden file input) and pasting files into `textarea`. */
export function bindFilePicking(uploads, { button, input, textarea }) {
  button.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    uploads.add(input.files);
    input.value = "";
  });
  textarea.addEventListener("paste", (event) => {
    const files = [...(event.clipboardData?.files || [])];
    if (!files.length) return;
    event.preventDefault();
    uploads.add(files);
  });
}

/** Drop events a zone has taken the files of already. */
const taken = new WeakSet();

/** Files dropped on `zone` (showing `overlay`, if any, while they are dragged over it). */
export function bindFileDrop(uploads, zone, overlay = null) {
  let depth = 0;
  const hasFiles = (event) => [...(event.dataTransfer?.types || [])].includes("Files");
  zone.addEventListener("dragenter", (event) => {
    if (!hasFiles(event)) return;
    depth += 1;
    if (overlay) overlay.hidden = false;
  });
  zone.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0 && overlay) overlay.hidden = true;
  });
  zone.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  zone.addEventListener("drop", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    if (overlay) overlay.hidden = true;
    // The innermost zone takes the files (the thread panel sits inside the room).
    if (taken.has(event)) return;
    taken.add(event);
    uploads.add(event.dataTransfer.files);
  });
}

/** The room composer's files. */
let roomUploads = null;

/** Checks and starts uploading files into the open room (the room composer's tray). */
export function addFiles(fileList) {
  roomUploads?.add(fileList);
}

/** True while any of the room composer's uploads is still on its way. */
export function uploadsBusy() {
  return roomUploads?.busy() || false;
}

/** Ids of the room composer's finished uploads for this room. */
export function readyFileIds(roomId) {
  return roomUploads?.readyIds(roomId) || [];
}

/** Empties the room composer's tray (after sending, or when leaving the room). */
export function clearUploads() {
  roomUploads?.clear();
}

export function initUploads() {
  roomUploads = createUploads(byId("upload-tray"));
  bindFilePicking(roomUploads, { button: byId("attach-button"), input: byId("file-input"), textarea: byId("composer-input") });
  // Drag and drop anywhere over the open room.
  bindFileDrop(roomUploads, byId("room"), byId("drop-overlay"));
}
