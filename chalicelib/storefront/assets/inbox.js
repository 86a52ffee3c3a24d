// The inbox: the shop's messages to a shopper, newest first, each marked read on its own.
import { api } from "./api.js";
import { pollUnread } from "./chrome.js";
import { el, errorLine, guarded, show } from "./dom.js";
import { pagedList } from "./paged.js";
import { needSignIn } from "./session.js";

export async function inboxPage() {
  if (needSignIn("Sign in to see your messages.")) return;
  const error = errorLine("inbox-error");
  const list = el("div", { id: "inbox" });
  const notes = pagedList("/notifications?limit=20", list, notification,
    { moreId: "more-notifications", moreLabel: "Older messages", error, empty: "Nothing yet." });
  show("Inbox", error, list, notes.more);
  try { await notes.load(); } catch (e) { error.textContent = e.message; }
}

function notification(note) {
  const read = el("button", { type: "button", class: "secondary", hidden: note.read }, "Mark read");
  const card = el("article", { class: `card${note.read ? "" : " unread"}`, "data-notification": note.id, "data-type": note.type },
    el("h2", {}, note.subject), el("p", {}, note.message),
    el("span", { class: "muted" }, new Date(note.created_at).toLocaleString()), read);
  const lineError = errorLine();
  card.append(lineError);
  read.addEventListener("click", () => guarded(read, lineError, async () => {
    await api("POST", `/notifications/${encodeURIComponent(note.id)}/read`);
    card.classList.remove("unread"); read.hidden = true; pollUnread();
  }));
  return card;
}
