// The dashboard's buttons: each calls the documented admin API with the session cookie
// (same origin, so the server's Origin check lets it through) and reloads the page.
"use strict";

(() => {
  const root = document.getElementById("admin");
  const status = document.getElementById("admin-status");
  if (!root || !status) return;

  // Dates in the page's language and calendar (Solar Hijri for Persian when configured);
  // the server's text stays for browsers without Intl.
  const html = document.documentElement;
  const locale = `${html.lang}-u-ca-${html.dataset.calendar || "gregory"}`;
  for (const time of root.querySelectorAll("time[datetime]")) {
    const moment = new Date(time.dateTime);
    if (Number.isNaN(moment.getTime())) continue;
    const style = "dateOnly" in time.dataset
      ? { dateStyle: "medium" }
      : { dateStyle: "medium", timeStyle: "short" };
    time.textContent = new Intl.DateTimeFormat(locale, style).format(moment);
  }
  // The chart's dates (axis labels and bar titles): day and month are enough there.
  const chartDate = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" });
  for (const label of root.querySelectorAll(".admin-chart [data-date]")) {
    const day = new Date(`${label.dataset.date}T00:00:00Z`);
    if (Number.isNaN(day.getTime())) continue;
    label.textContent = chartDate.format(day) + (label.dataset.suffix || "");
  }

  // `body` is JSON, or a FormData sent as multipart (the browser sets its boundary).
  async function call(method, path, body) {
    const form = body instanceof FormData;
    const response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body && !form ? { "Content-Type": "application/json" } : {},
      body: body ? (form ? body : JSON.stringify(body)) : undefined,
    });
    if (!response.ok) {
      let detail = String(response.status);
      try {
        detail = (await response.json()).detail || detail;
      } catch (_) {
        // Not a problem document; the status says enough.
      }
      throw new Error(detail);
    }
  }

  function request(button) {
    const id = button.dataset.id;
    switch (button.dataset.action) {
      case "report":
        return ["POST", `/api/v1/admin/reports/${id}`,
          { status: button.dataset.status, action: button.dataset.remedy }];
      case "role": {
        const select = document.getElementById(`role-${id}`);
        return ["POST", `/api/v1/admin/users/${id}/role`, { role: select.value }];
      }
      case "ban": {
        const reason = window.prompt(root.dataset.banPrompt || "");
        if (reason === null) return null;
        return ["POST", `/api/v1/admin/users/${id}/ban`, { reason }];
      }
      case "unban":
        return ["DELETE", `/api/v1/admin/users/${id}/ban`, null];
      case "emoji-delete":
        return ["DELETE", `/api/v1/emoji/${encodeURIComponent(button.dataset.name)}`, null];
      default:
        return null;
    }
  }

  // Custom emoji: the name goes first, so a taken or malformed name is refused before
  // the picture is sent.
  const emojiForm = document.getElementById("emoji-form");
  if (emojiForm) {
    emojiForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const submit = emojiForm.querySelector("button[type=submit]");
      const data = new FormData();
      data.append("name", emojiForm.elements.name.value);
      const file = emojiForm.elements.file.files[0];
      if (file) data.append("file", file, file.name);
      submit.disabled = true;
      try {
        await call("POST", "/api/v1/emoji", data);
        status.textContent = root.dataset.done || "";
        window.location.reload();
      } catch (error) {
        status.textContent = error.message;
        submit.disabled = false;
      }
    });
  }

  root.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const call_args = request(button);
    if (!call_args) return;
    button.disabled = true;
    try {
      await call(...call_args);
      status.textContent = root.dataset.done || "";
      window.location.reload();
    } catch (error) {
      status.textContent = error.message;
      button.disabled = false;
    }
  });
})();
