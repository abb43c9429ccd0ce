// The profile card: a click on a person's name (in the timeline or the member list) shows
// who they are — avatar, names, bio, local time, online state — and what one may do:
// write to them, or, for those the server lets moderate, mute, kick or ban. Nothing is
// created by looking: the direct conversation opens only on "Message".

import { api } from "./api.js";
import { confirmDialog, field, openDialog } from "./dialogs.js";
import { h, iconButton, userText } from "./dom.js";
import { currentLang, formatDateTime, t } from "./i18n.js";
import { toast } from "./notify.js";
import { avatar, authorName } from "./messages.js";
import { memberActions } from "./ranks.js";
import { activeRoom, emit, presence, state } from "./store.js";

let hooks = { dm: () => {} };

export function initProfileCard(nextHooks) {
  hooks = { ...hooks, ...nextHooks };
}

/** Minutes `zone` is ahead of UTC at `date` (negative behind), from Intl's wall clock. */
function zoneOffset(zone, date) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
    hour: "numeric", minute: "numeric",
  }).formatToParts(date).map(({ type, value }) => [type, Number(value)]));
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
  // The wall clock has no seconds: compare it with the instant cut to the minute too.
  const minute = Math.floor(date.getTime() / 60000) * 60000;
  return Math.round((wall - minute) / 60000);
}

/** "14:05, Thursday" in the viewer's language and calendar, and how far from the viewer. */
export function localTime(zone, now = new Date()) {
  let time;
  let offset;
  try {
    time = new Intl.DateTimeFormat(document.documentElement.dataset.calendar
      ? `${currentLang()}-u-ca-${document.documentElement.dataset.calendar}` : currentLang(), {
      timeZone: zone, hour: "numeric", minute: "2-digit", weekday: "long",
    }).format(now);
    offset = zoneOffset(zone, now) + now.getTimezoneOffset();
  } catch {
    return null; // a zone this browser does not know
  }
  if (offset === 0) return { time, difference: t("chat-profile-same-time") };
  const total = Math.abs(offset);
  const hours = Math.floor(total / 60);
  const minutes = total % 60;
  const amount = minutes
    ? t("chat-profile-hours-minutes", { hours, minutes })
    : t("chat-profile-hours", { count: hours, hours });
  return { time, difference: t(offset > 0 ? "chat-profile-ahead" : "chat-profile-behind", { amount }) };
}

function mutedNow(member) {
  return member?.muted_until && new Date(member.muted_until) > new Date();
}

/** Runs a moderation call; a refusal shows the server's localized reason in the card. */
async function attempt(errorLine, call) {
  errorLine.hidden = true;
  try {
    await call();
    return true;
  } catch (error) {
    errorLine.textContent = error.message || t("chat-error-generic");
    errorLine.hidden = false;
    return false;
  }
}

/** Asks how long to mute; resolves minutes, or undefined when cancelled. */
export async function askMuteMinutes(name) {
  const choices = [[10, "chat-mute-10m"], [60, "chat-mute-1h"], [1440, "chat-mute-1d"], [10080, "chat-mute-1w"]];
  const select = h("select", { id: "mute-minutes", name: "minutes" },
    choices.map(([minutes, id]) => h("option", { value: String(minutes), selected: minutes === 60 }, t(id))));
  const answer = await openDialog({
    id: "mute-dialog",
    title: t("chat-mute-title", { name }),
    content: [h("p", {}, t("chat-mute-hint")), field(t("chat-mute-duration"), select)],
    submitLabel: t("chat-mute-button"),
    onSubmit: () => Number(select.value),
  });
  return typeof answer === "number" ? answer : undefined;
}

/** Mutes, unmutes or kicks `member` in `room`, asking first; returns whether it happened. */
export async function moderate(kind, room, member, errorLine) {
  const name = authorName(member.user);
  const base = `/api/v1/rooms/${encodeURIComponent(room.id)}/members/${encodeURIComponent(member.user.id)}`;
  if (kind === "mute") {
    const minutes = await askMuteMinutes(name);
    if (!minutes) return false;
    return attempt(errorLine, async () => {
      const view = await api("POST", `${base}/mute`, { minutes, reason: "" });
      room.members?.set(member.user.id, { ...member, ...view });
      emit("members", room.id);
      toast(t("chat-muted-toast", { name }));
    });
  }
  if (kind === "unmute") {
    return attempt(errorLine, async () => {
      await api("DELETE", `${base}/mute`);
      room.members?.set(member.user.id, { ...member, muted_until: null });
      emit("members", room.id);
      toast(t("chat-unmuted-toast", { name }));
    });
  }
  if (kind === "kick") {
    if (!(await confirmDialog(t("chat-kick-confirm", { name, room: room.view.name }), t("chat-kick-button")))) return false;
    return attempt(errorLine, async () => {
      await api("POST", `${base}/kick`, { reason: "" });
      toast(t("chat-kicked-toast", { name }));
    });
  }
  return false;
}

/** Opens the card of `username` (shown beside the active room's context). */
export async function openProfile(username) {
  if (!username) return;
  const opener = document.activeElement;
  let profile;
  try {
    profile = await api("GET", `/api/v1/users/${encodeURIComponent(username)}`);
  } catch (error) {
    toast(error.message, "error");
    return;
  }
  document.getElementById("profile-card")?.close();
  const me = profile.id === state.me.id;
  const room = activeRoom();
  const member = room?.view.kind !== "direct" ? room?.members?.get(profile.id) : null;
  const status = presence.get(profile.id) || (profile.online ? "online" : "offline");
  const errorLine = h("p", { class: "profile-error", role: "alert", hidden: true });
  const nameId = "profile-card-name";

  const zone = profile.timezone ? localTime(profile.timezone) : null;
  const details = h("dl", { class: "profile-details" },
    zone ? [
      h("dt", {}, t("chat-profile-local-time")),
      h("dd", { class: "profile-local-time" }, h("span", { class: "profile-time" }, zone.time),
        me ? null : h("span", { class: "profile-offset" }, zone.difference)),
    ] : null,
    member?.role && member.role !== "member" ? [h("dt", {}, t("chat-profile-room-role")), h("dd", {}, t(`chat-role-${member.role}`))] : null,
    mutedNow(member) ? [h("dt", {}, t("chat-profile-muted")), h("dd", {}, formatDateTime(member.muted_until))] : null,
  );

  const actions = h("div", { class: "profile-actions" });
  if (me) {
    actions.append(h("a", { class: "button-secondary", href: "/settings", id: "profile-edit" }, t("chat-profile-edit")));
  } else {
    const message = h("button", { type: "button", class: "button-primary", id: "profile-message" }, t("chat-profile-message"));
    message.addEventListener("click", () => {
      dialog.close();
      hooks.dm(profile.username);
    });
    actions.append(message);
    const allowed = memberActions(room, profile, member);
    const button = (kind, label, danger) => {
      const b = h("button", { type: "button", class: danger ? "button-secondary button-danger" : "button-secondary", dataset: { profileAction: kind } }, label);
      b.addEventListener("click", async () => {
        const target = room.members?.get(profile.id) || member;
        if (await moderate(kind, room, target, errorLine)) dialog.close();
      });
      return b;
    };
    if (allowed.mute) actions.append(mutedNow(member) ? button("unmute", t("chat-unmute-button")) : button("mute", t("chat-mute-button")));
    if (allowed.kick) actions.append(button("kick", t("chat-kick-button"), true));
    if (allowed.ban) {
      const ban = h("button", { type: "button", class: "button-secondary button-danger", dataset: { profileAction: "ban" } }, t("chat-ban-button"));
      ban.addEventListener("click", async () => {
        const name = authorName(profile);
        if (!(await confirmDialog(t("chat-ban-confirm", { name }), t("chat-ban-button")))) return;
        const done = await attempt(errorLine, () =>
          api("POST", `/api/v1/admin/users/${encodeURIComponent(profile.id)}/ban`, { reason: "" }));
        if (done) {
          toast(t("chat-banned-toast", { name }));
          dialog.close();
        }
      });
      actions.append(ban);
    }
  }

  const dialog = h("dialog", { id: "profile-card", class: "dialog profile-card", "aria-labelledby": nameId, dataset: { username: profile.username } },
    h("div", { class: "profile-card-inner" },
      iconButton("close", t("chat-close"), { class: "dialog-close profile-close" }),
      h("div", { class: "profile-head" },
        avatar(profile),
        h("div", { class: "profile-names" },
          h("h2", { id: nameId, class: "profile-name" }, userText(authorName(profile))),
          h("p", { class: "profile-username", dir: "ltr" }, `@${profile.username}`),
          h("p", { class: `profile-presence profile-presence-${status}`, dataset: { presence: status } },
            h("span", { class: `presence-dot presence-${status}`, "aria-hidden": "true" }), t(`chat-presence-${status}`)))),
      profile.bio ? h("p", { class: "profile-bio", dir: "auto" }, profile.bio) : null,
      details.childElementCount ? details : null,
      errorLine,
      actions));
  dialog.querySelector(".profile-close").addEventListener("click", () => dialog.close());
  // A click on the backdrop (outside the card's box) closes it, as popovers do.
  dialog.addEventListener("click", (event) => {
    if (event.target !== dialog) return;
    const box = dialog.getBoundingClientRect();
    const inside = event.clientX >= box.left && event.clientX <= box.right
      && event.clientY >= box.top && event.clientY <= box.bottom;
    if (!inside) dialog.close();
  });
  dialog.addEventListener("close", () => {
    dialog.remove();
    // Back to the name that opened it, unless a new view (a DM) took the focus on purpose.
    if (opener instanceof HTMLElement && opener.isConnected && document.activeElement === document.body) opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  (actions.querySelector("button, a") || dialog).focus();
}
