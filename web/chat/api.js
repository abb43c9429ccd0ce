// REST calls. Same-origin with the session cookie; the server's problem+json `detail` is
// already localized for our Accept-Language, so it is what the user sees on failure.

import { takeEarly } from "./early.js";
import { t } from "./i18n.js";

let lang = "en-US";

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

export function initApi(language) {
  lang = language;
}

async function problem(status, readJson) {
  let body = {};
  try {
    body = (await readJson()) || {};
  } catch {
    // Not a problem document (a proxy page, an empty body): the generic text will do.
  }
  return new ApiError(status, body.code || `http.${status}`, body.detail || t("chat-error-generic"));
}

/** `api("POST", "/api/v1/rooms", {...})` → parsed JSON (or null for 204). Throws ApiError. */
export async function api(method, path, body) {
  const headers = { Accept: "application/json", "Accept-Language": lang };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  // The page's first asks were started by early.js; a failed one is asked again here.
  let response = method === "GET" ? await takeEarly(path) : null;
  try {
    response ??= await fetch(path, {
      method,
      credentials: "same-origin",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", t("chat-error-network"));
  }
  if (!response.ok) throw await problem(response.status, () => response.json());
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  return type.includes("json") ? response.json() : null;
}

/**
 * Uploads a multipart form with XMLHttpRequest, because fetch has no upload progress.
 * Returns { promise, abort }; `onProgress(fraction)` runs as bytes leave.
 */
export function uploadForm(path, form, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open("POST", path);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Accept-Language", lang);
    xhr.responseType = "text";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
    };
    xhr.onload = async () => {
      const parse = () => JSON.parse(xhr.responseText || "null");
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(parse());
        } catch {
          reject(new ApiError(xhr.status, "http.bad_json", t("chat-error-generic")));
        }
      } else {
        reject(await problem(xhr.status, parse));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "network", t("chat-error-network")));
    xhr.onabort = () => reject(new ApiError(0, "aborted", t("chat-upload-cancelled")));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
