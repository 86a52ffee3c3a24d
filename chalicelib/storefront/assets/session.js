// The session: the tokens in sessionStorage (never in a URL), and staying signed in.
// The shop admits an access token only minutes after it was issued (expires_in). Renew it with the refresh
// token a minute before that, so a shopper is never signed out mid-checkout; and when a request is refused
// for its token all the same (a laptop that slept through the timer), renew and send it once more (api.js): the
// shop never saw the refused request, so even an order is safe to send again.
import { ApiError, unreachable } from "./errors.js";

export const session = {
  get token() { return sessionStorage.getItem("shop.token"); },
  get refreshToken() { return sessionStorage.getItem("shop.refresh"); },
  get expiresAt() { return Number(sessionStorage.getItem("shop.expiresAt") || 0); },
  get roles() { return JSON.parse(sessionStorage.getItem("shop.roles") || "[]"); },
  saveTokens(tokens) {
    sessionStorage.setItem("shop.token", tokens.access_token);
    if (tokens.refresh_token) sessionStorage.setItem("shop.refresh", tokens.refresh_token);
    sessionStorage.setItem("shop.expiresAt", String(Date.now() + tokens.expires_in * 1000));
    scheduleRenewal();
  },
  saveRoles(roles) { sessionStorage.setItem("shop.roles", JSON.stringify(roles)); },
  clear() {
    ["shop.token", "shop.refresh", "shop.expiresAt", "shop.roles", "shop.checkout"].forEach((k) => sessionStorage.removeItem(k));
    clearTimeout(renewalTimer);
  },
};

const RENEW_EARLY_MS = 60 * 1000;
const RETRY_RENEWAL_MS = 10 * 1000;
let renewalTimer = null;
let renewing = null;
let ended = () => {}; // what the page does when the shop ends the session (app.js: the chrome shows it)

export function onSessionEnd(then) { ended = then; }

// the shop refused the token and it cannot be renewed: this tab forgets it
export function endSession() {
  session.clear();
  ended();
}

export function scheduleRenewal(delay = Math.max(0, session.expiresAt - RENEW_EARLY_MS - Date.now())) {
  clearTimeout(renewalTimer);
  if (session.refreshToken) renewalTimer = setTimeout(() => renew().catch(() => {}), delay);
}

export function renew() {
  renewing = renewing || (async () => {
    let response;
    try {
      response = await fetch("/auth/token", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: session.refreshToken }) });
    } catch (error) {
      scheduleRenewal(RETRY_RENEWAL_MS);
      throw unreachable();
    }
    if (!response.ok) {  // revoked or expired: this session is over
      if (response.status < 500 && response.status !== 429) endSession(); else scheduleRenewal(RETRY_RENEWAL_MS);
      throw new ApiError(response.status, "Your session has ended. Please sign in again.");
    }
    session.saveTokens(await response.json());
  })().finally(() => { renewing = null; });
  return renewing;
}

// Signed out: the sign-in page says why it was shown, and signing in comes back here.
export function needSignIn(why) {
  if (session.token) return false;
  sessionStorage.setItem("shop.signInWhy", why);
  sessionStorage.setItem("shop.afterSignIn", location.hash || "#/");
  location.hash = "#/signin";
  return true;
}
