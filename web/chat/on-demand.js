// Parts of the chat the first screen does not show (room settings, the profile card, the
// quick switcher, the image viewer) load the first time they are used, not with the page.
// On a phone's slow network every module the page waits for is time before the messages
// show (issue 18); the server leaves modules reached only through `import()` out of the
// page's modulepreload list.

import { t } from "./i18n.js";

/**
 * `load()` run once, on the first call; every call gets that one promise. A load that
 * failed (offline, say) is tried again by the next call instead of failing forever, and
 * fails with words for people (the browser's own message is English and names the file).
 */
export function onDemand(load) {
  let loading = null;
  return () => {
    loading ??= load().catch((cause) => {
      loading = null;
      throw new Error(t("chat-error-network"), { cause });
    });
    return loading;
  };
}
