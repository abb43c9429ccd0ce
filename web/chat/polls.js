// Polls: the create dialog (REST), the poll card in the timeline, voting over the socket,
// and live bars. Counts arrive as `poll.updated` (batched by the server) and the final
// result as `poll.closed`; both replace the card in place.

import { api } from "./api.js";
import { field, openDialog } from "./dialogs.js";
import { byId, h, iconButton, userText } from "./dom.js";
import { formatDateTime, t } from "./i18n.js";
import { toast, toastError } from "./notify.js";
import { perform } from "./ops.js";
import { activeRoom, canModerate, on, putPoll, state } from "./store.js";

const MIN_OPTIONS = 2;
const MAX_OPTIONS = 10;
const fetching = new Map();

function fetchPoll(id) {
  if (!fetching.has(id)) {
    fetching.set(id, api("GET", `/api/v1/polls/${encodeURIComponent(id)}`)
      .then(putPoll)
      .catch(() => {})
      .finally(() => fetching.delete(id)));
  }
  return fetching.get(id);
}

/** The poll card (a placeholder until the poll is fetched). */
export function renderPoll(pollId, room) {
  const poll = state.polls.get(pollId);
  if (!poll) {
    fetchPoll(pollId);
    return h("div", { class: "poll poll-loading", dataset: { pollId }, "aria-busy": "true" }, t("chat-loading"));
  }
  const mine = new Set(poll.my_choices || []);
  const total = poll.total_voters || 0;
  const max = Math.max(1, ...poll.options.map((o) => o.votes));
  const status = [
    poll.multiple ? t("chat-poll-multiple") : t("chat-poll-single"),
    poll.anonymous ? t("chat-poll-anonymous") : null,
    poll.closed ? t("chat-poll-closed") : poll.closes_at ? t("chat-poll-closes", { time: formatDateTime(poll.closes_at) }) : null,
  ].filter(Boolean).join(" · ");

  const options = poll.options.map((option) => {
    const chosen = mine.has(option.id);
    const voters = option.voters?.map((u) => u.display_name || u.username).join(", ");
    return h("li", { class: "poll-option-row" },
      h("button", {
        type: "button",
        class: chosen ? "poll-option poll-option-chosen" : "poll-option",
        "aria-pressed": chosen ? "true" : "false",
        disabled: poll.closed,
        title: voters || null,
        dataset: { action: "vote", optionId: option.id, votes: option.votes },
      },
      h("span", { class: "poll-option-check", "aria-hidden": "true" }),
      userText(option.text, "bdi", { class: "poll-option-text" }),
      h("span", { class: "poll-option-count" }, t("chat-poll-votes", { count: option.votes })),
      // Relative to the leader, so the winning bar is full even in multiple-choice polls.
      h("progress", { class: "poll-bar", max, value: option.votes, "aria-hidden": "true" })));
  });

  const mayClose = !poll.closed && (poll.creator?.id === state.me.id || canModerate(room));
  return h("div", {
    class: poll.closed ? "poll poll-closed" : "poll",
    dataset: { pollId, closed: poll.closed ? "true" : "false" },
  },
  h("p", { class: "poll-question", dir: "auto" }, poll.question),
  h("p", { class: "poll-status" }, status),
  h("ul", { class: "poll-options", role: "list" }, options),
  h("div", { class: "poll-footer" },
    h("span", { class: "poll-total", dataset: { total } }, t("chat-poll-voters", { count: total })),
    mayClose ? h("button", { type: "button", class: "button-link", dataset: { action: "close-poll" } }, t("chat-poll-close")) : null));
}

/** Handles clicks inside a poll card (delegated from the timeline). */
export async function pollClick(button, pollId) {
  const poll = state.polls.get(pollId);
  if (!poll || poll.closed) return;
  if (button.dataset.action === "close-poll") {
    try {
      putPoll(await api("POST", `/api/v1/polls/${encodeURIComponent(pollId)}/close`));
    } catch (error) {
      toastError(error);
    }
    return;
  }
  const optionId = button.dataset.optionId;
  const mine = new Set(poll.my_choices || []);
  let choices;
  if (poll.multiple) {
    if (mine.has(optionId)) mine.delete(optionId);
    else {
      if (poll.max_choices && mine.size >= poll.max_choices) {
        toast(t("chat-poll-max-choices", { count: poll.max_choices }), "error");
        return;
      }
      mine.add(optionId);
    }
    choices = [...mine];
  } else {
    // Choosing your current answer again takes the vote back.
    choices = mine.has(optionId) ? [] : [optionId];
  }
  button.disabled = true;
  try {
    const view = await perform("vote", { poll_id: pollId, option_ids: choices });
    putPoll({ ...view, my_choices: view.my_choices ?? choices });
  } catch (error) {
    toastError(error);
  } finally {
    button.disabled = false;
  }
}

/** Labels follow position, so removing an answer renumbers the rest. */
function renumber(list) {
  [...list.querySelectorAll("input")].forEach((input, i) => {
    input.setAttribute("aria-label", t("chat-poll-option-label", { number: i + 1 }));
    input.placeholder = t("chat-poll-option-placeholder", { number: i + 1 });
  });
}

function optionInput(list) {
  const input = h("input", { class: "poll-option-input", maxlength: 200, dir: "auto" });
  const remove = iconButton("close", t("chat-poll-remove-option"), { class: "poll-remove-option" });
  const row = h("li", { class: "poll-option-edit" }, input, remove);
  remove.addEventListener("click", () => {
    if (list.children.length > MIN_OPTIONS) {
      row.remove();
      renumber(list);
    }
  });
  list.append(row);
  renumber(list);
  return input;
}

/** The "new poll" dialog for the open room. */
export async function openPollDialog() {
  const room = activeRoom();
  if (!room) return;
  const question = h("input", { id: "poll-question", maxlength: 300, required: true, dir: "auto", autofocus: true });
  const list = h("ol", { id: "poll-options", class: "poll-options-edit" });
  const add = h("button", { type: "button", id: "poll-add-option", class: "button-secondary" }, t("chat-poll-add-option"));
  const multiple = h("input", { type: "checkbox", id: "poll-multiple" });
  const anonymous = h("input", { type: "checkbox", id: "poll-anonymous" });
  const content = [
    field(t("chat-poll-question"), question),
    h("fieldset", { class: "poll-options-fieldset" }, h("legend", {}, t("chat-poll-options")), list, add),
    h("label", { class: "check" }, multiple, t("chat-poll-multiple-label")),
    h("label", { class: "check" }, anonymous, t("chat-poll-anonymous-label")),
  ];
  add.addEventListener("click", () => {
    if (list.children.length < MAX_OPTIONS) optionInput(list).focus();
    add.disabled = list.children.length >= MAX_OPTIONS;
  });
  for (let i = 0; i < MIN_OPTIONS; i += 1) optionInput(list);
  await openDialog({
    id: "poll-dialog",
    title: t("chat-poll-create-title"),
    content,
    submitLabel: t("chat-poll-create"),
    onSubmit: async () => {
      const options = [...list.querySelectorAll("input")].map((i) => i.value.trim()).filter(Boolean);
      if (!question.value.trim()) throw new Error(t("chat-poll-question-required"));
      if (options.length < MIN_OPTIONS) throw new Error(t("chat-poll-options-required", { count: MIN_OPTIONS }));
      const poll = await api("POST", `/api/v1/rooms/${encodeURIComponent(room.id)}/polls`, {
        question: question.value.trim(), options, multiple: multiple.checked, anonymous: anonymous.checked,
      });
      putPoll(poll);
    },
  });
}

export function initPolls() {
  byId("poll-button")?.addEventListener("click", openPollDialog);
  // Replace every card of a poll whose counts changed.
  on("poll", (pollId) => {
    const room = activeRoom();
    for (const card of document.querySelectorAll(".poll[data-poll-id]")) {
      if (card.dataset.pollId === pollId) card.replaceWith(renderPoll(pollId, room));
    }
  });
}
