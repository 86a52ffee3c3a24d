// The shop's storefront: plain DOM, hash routing, the public API only. All API text goes in as text.
// This is the page's entry module. Every module is served under a name that carries its content hash, and its
// imports are rewritten to the hashed names of what they import (chalicelib/storefront/modules.py). This one
// imports every other module itself, so a first visit fetches them all at once, after this one, instead of one
// level of imports after another (a test checks that it names them all).
import "./account.js";
import "./admin-products.js";
import "./admin.js";
import "./api.js";
import "./cart.js";
import "./catalog.js";
import "./dom.js";
import "./errors.js";
import "./format.js";
import "./inbox.js";
import "./orders.js";
import "./paged.js";
import "./paying.js";
import { pollUnread, refreshChrome, signOut } from "./chrome.js";
import { route } from "./router.js";
import { onSessionEnd, scheduleRenewal } from "./session.js";

// the shop ended the session (a token refused and not renewed): the chrome shows it signed out
onSessionEnd(refreshChrome);
document.getElementById("signout").addEventListener("click", signOut);
window.addEventListener("hashchange", route);
scheduleRenewal();
refreshChrome();
route();
setInterval(pollUnread, 5000);
