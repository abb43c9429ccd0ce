// The settings page: a time zone that is still unset is filled in from the browser, the way
// Slack detects it, and the hint says so; nothing is saved until the person presses Save.

const input = document.getElementById("timezone");
const hint = document.getElementById("timezone-hint");
if (input && !input.value) {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    // No Intl time zone support: the field stays empty.
  }
  if (zone) {
    input.value = zone;
    if (hint?.dataset.detected) hint.textContent = hint.dataset.detected;
  }
}
