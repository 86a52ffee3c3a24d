// The page's chrome: who is signed in (the nav's links), the unread count, signing out.
import { api } from "./api.js";
import { session } from "./session.js";

export function refreshChrome() {
  const signedIn = Boolean(session.token);
  document.querySelectorAll("[data-signed-in]").forEach((n) => { n.hidden = !signedIn; });
  document.querySelectorAll("[data-signed-out]").forEach((n) => { n.hidden = signedIn; });
  document.querySelectorAll("[data-admin]").forEach((n) => { n.hidden = !session.roles.includes("admin"); });
  pollUnread();
}

export async function pollUnread() {
  const badge = document.getElementById("unread");
  if (!session.token) { badge.hidden = true; return; }
  try {
    const page = await api("GET", "/notifications?limit=100");
    const unread = page.items.filter((n) => !n.read).length;
    badge.textContent = String(unread);
    badge.hidden = unread === 0;
  } catch (e) { /* the next poll tries again */ }
}

// Signing out revokes the refresh token at the shop, so a copy of it is worthless; this tab forgets both tokens
// even when the shop cannot be reached.
export async function signOut(event) {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    if (session.refreshToken) await api("POST", "/auth/sign-out", { refresh_token: session.refreshToken });
  } catch (error) { /* signed out in this tab all the same */ } finally { button.disabled = false; }
  session.clear(); refreshChrome(); location.hash = "#/";
}
