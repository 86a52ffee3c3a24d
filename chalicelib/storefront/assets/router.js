// Hash routing: `#/<page>/<part>?<params>` shows a page; the page's module loads what it shows.
import { adminPage } from "./admin.js";
import { signInPage, signUpPage } from "./account.js";
import { cartPage } from "./cart.js";
import { catalogPage, productPage } from "./catalog.js";
import { el, show } from "./dom.js";
import { inboxPage } from "./inbox.js";
import { ordersPage } from "./orders.js";

export function route() {
  const [path, query] = (location.hash.slice(1) || "/").split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean);
  const pages = { "": () => catalogPage(params), product: () => productPage(decodeURIComponent(parts[1] || "")),
    signin: signInPage, signup: signUpPage, cart: cartPage, orders: () => ordersPage(params), inbox: inboxPage,
    admin: adminPage };
  (pages[parts[0] || ""] || (() => show("Not found", el("p", {}, "No such page."))))();
}
