// The shop's storefront: plain DOM, hash routing, the public API only. All API text goes in as text.
const currency = document.body.dataset.currency || "USD";
const currencyPrefix = document.body.dataset.currencyPrefix ?? `${currency} `;
const main = () => document.getElementById("main");
const session = {
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

// The shop's one way to show money and orders, the same as its inbox and emails (chalicelib/display.py):
// "$1,167.00", "-$5.00", "CHF 167.00"; an order is named by the end of its id, "Order 2CH2S05Q".
export function money(cents) {
  const whole = Math.trunc(Math.abs(cents) / 100), part = Math.abs(cents) % 100;
  return `${cents < 0 ? "-" : ""}${currencyPrefix}${whole.toLocaleString("en-US")}.${String(part).padStart(2, "0")}`;
}
export function orderReference(id) { return id.slice(-8).toUpperCase(); }

// --- what a shopper reads when something fails ---------------------------------------------------
// The storefront words its own messages from what it knows (a product's name, the allowed range); the API's
// text is for developers and the OpenAPI client, kept on the error as `detail`.
const FIELDS = { quantity: "quantity", items: "quantity", email: "email address", password: "password", name: "name",
  category: "category", price_cents: "price", stock: "stock", stock_delta: "units to add or remove",
  description: "description", image_url: "image URL", code: "code" };
const SAID = {
  401: "Please sign in again.", 403: "This is not open to your account.", 404: "This is not here any more.",
  409: "This changed meanwhile. Reload the page and try again.", 413: "That is too large for the shop to take.",
  429: "Too many tries in a short time. Please wait a moment and try again.",
};
function shopperText(status, detail) {
  if (status >= 500) return "The shop could not do that just now. Please try again in a moment.";
  if (status === 400 || status === 422) {
    const field = /`\$?\.?([a-z_]+)/.exec(detail || "");
    return field && FIELDS[field[1]] ? `Please check the ${FIELDS[field[1]]}.` : "Please check what you entered.";
  }
  return SAID[status] || "That did not work. Please try again.";
}
class ApiError extends Error {
  constructor(status, message, detail = "", retryAfter = 0) {
    super(message); this.status = status; this.detail = detail; this.retryAfter = retryAfter;
  }
}
const refusal = (response, data) => {
  const detail = (data && (data.Message || data.message)) || `HTTP ${response.status}`;
  return new ApiError(response.status, shopperText(response.status, detail), detail,
    Number(response.headers.get("Retry-After")) || 0);
};
// `words` maps a status to the page's own sentence for it
const worded = (error, words) => Object.assign(error, { message: words[error.status] || error.message });
const QUANTITY = { min: 1, max: 99 };
function checkedQuantity(value) {
  const quantity = Number(value);
  if (!Number.isInteger(quantity) || quantity < QUANTITY.min || quantity > QUANTITY.max) {
    throw new ApiError(400, `Choose a quantity from ${QUANTITY.min} to ${QUANTITY.max}.`);
  }
  return quantity;
}

// --- progress for slow requests ------------------------------------------------------------------
let inFlight = 0;
let progressTimer = null;
function busy(delta) {
  inFlight += delta;
  const bar = document.getElementById("progress");
  document.body.setAttribute("aria-busy", inFlight > 0 ? "true" : "false");
  if (inFlight > 0 && !progressTimer && bar.hidden) {
    progressTimer = setTimeout(() => { bar.hidden = inFlight === 0; progressTimer = null; }, 150);
  } else if (inFlight === 0) {
    clearTimeout(progressTimer); progressTimer = null; bar.hidden = true;
  }
}

// --- staying signed in ----------------------------------------------------------------------------
// The shop admits an access token only minutes after it was issued (expires_in). Renew it with the refresh
// token a minute before that, so a shopper is never signed out mid-checkout; and when a request is refused
// for its token all the same (a laptop that slept through the timer), renew and send it once more: the shop
// never saw the refused request, so even an order is safe to send again.
const RENEW_EARLY_MS = 60 * 1000;
const RETRY_RENEWAL_MS = 10 * 1000;
let renewalTimer = null;
let renewing = null;

function scheduleRenewal(delay = Math.max(0, session.expiresAt - RENEW_EARLY_MS - Date.now())) {
  clearTimeout(renewalTimer);
  if (session.refreshToken) renewalTimer = setTimeout(() => renew().catch(() => {}), delay);
}

function renew() {
  renewing = renewing || (async () => {
    let response;
    try {
      response = await fetch("/auth/token", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: session.refreshToken }) });
    } catch (error) {
      scheduleRenewal(RETRY_RENEWAL_MS);
      throw new ApiError(0, "The shop could not be reached. Check your connection and try again.");
    }
    if (!response.ok) {  // revoked or expired: this session is over
      if (response.status < 500 && response.status !== 429) { session.clear(); refreshChrome(); } else scheduleRenewal(RETRY_RENEWAL_MS);
      throw new ApiError(response.status, "Your session has ended. Please sign in again.");
    }
    session.saveTokens(await response.json());
  })().finally(() => { renewing = null; });
  return renewing;
}

async function api(method, path, body, headers = {}) {
  return (await call(method, path, body, headers)).data;
}

// the answer and its ETag (a product's, for If-Match)
async function call(method, path, body, headers = {}, renewed = false) {
  const sent = { "Content-Type": "application/json", ...headers };
  if (session.token) sent.Authorization = `Bearer ${session.token}`;
  busy(+1);
  let response;
  try {
    response = await fetch(path, { method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, "The shop could not be reached. Check your connection and try again.");
  } finally {
    busy(-1);
  }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    if ((response.status === 401 || response.status === 403) && session.token && path !== "/auth/token" &&
        !(data && data.Code === "ForbiddenError" && data.Message !== "the token was refused")) {
      if (!renewed && session.refreshToken) {
        await renew();  // throws when it cannot renew (and then ends the session unless the network failed)
        return call(method, path, body, headers, true);
      }
      session.clear(); refreshChrome();
    }
    throw refusal(response, data);
  }
  return { data, etag: response.headers.get("ETag") };
}

// --- DOM helpers: text only, never HTML ----------------------------------------------------------
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function errorLine(id) { return el("p", { class: "error", role: "alert", id, "aria-live": "assertive" }); }

function show(title, ...content) {
  const target = main();
  target.replaceChildren(el("h1", { text: title }), ...content);
  document.title = `${title} · shop`;
  target.focus();
}

async function guarded(button, errorNode, action) {
  errorNode.textContent = "";
  button.disabled = true;
  try { await action(); } catch (error) { errorNode.textContent = error.message; } finally { button.disabled = false; }
}

// A list the API pages: the first page, then a "More" button while the API gives a next_cursor. Every list of
// the storefront that can grow (orders, inbox, the admin's orders and catalog) uses it, so none ends silently.
// Each item is shown once, by id, however it arrives: a page, a save, a move from another list. `place` shows
// an item this page changed: in place, or where `before(a, b)` (the API's order) puts it among what is loaded
// (waiting for a page in flight), or nowhere yet when it sorts past the loaded part ("More" brings it).
function pagedList(path, list, render, { moreId, moreLabel = "More", error, empty, before }) {
  const more = el("button", { type: "button", class: "secondary", id: moreId, hidden: true }, moreLabel);
  const nodes = new Map(); // id -> node
  const items = new WeakMap(); // node -> item
  let cursor = null, loaded = false, loading = null, emptyNote = null;
  const node = (item) => { const made = render(item); items.set(made, item); nodes.set(item.id, made); return made; };
  const load = () => loading || (loading = (async () => {
    try {
      const page = await api("GET", path + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""), undefined,
        { "Cache-Control": "no-cache" });
      list.append(...page.items.filter((item) => !nodes.has(item.id)).map(node)); // shown already: as fresh or fresher
      if (!loaded && !page.items.length && empty && !nodes.size) list.append(emptyNote = el("p", { class: "muted", text: empty }));
      cursor = page.next_cursor; loaded = true; more.hidden = !cursor;
    } finally { loading = null; }
  })());
  const place = async (item) => {
    while (loading) await loading.catch(() => {});
    const shown = nodes.get(item.id);
    if (shown) { shown.replaceWith(node(item)); return; }
    if (!loaded) return;
    const next = [...list.children].find((child) => items.has(child) && before(item, items.get(child)));
    if (next || !cursor) { emptyNote?.remove(); emptyNote = null; list.insertBefore(node(item), next || null); }
  };
  const remove = (id) => { nodes.get(id)?.remove(); nodes.delete(id); };
  more.addEventListener("click", () => guarded(more, error, load));
  return { more, load, place, remove, has: (id) => nodes.has(id) };
}
const newestFirst = (a, b) => a.created_at > b.created_at || (a.created_at === b.created_at && a.id > b.id);

// Signed out: the sign-in page says why it was shown, and signing in comes back here.
function needSignIn(why) {
  if (session.token) return false;
  sessionStorage.setItem("shop.signInWhy", why);
  sessionStorage.setItem("shop.afterSignIn", location.hash || "#/");
  location.hash = "#/signin";
  return true;
}

// --- pages ---------------------------------------------------------------------------------------
async function catalogPage(params) {
  const category = params.get("category") || "";
  const cursors = (params.get("trail") || "").split("~").filter(Boolean);
  const error = errorLine("catalog-error");
  const chips = el("div", { class: "chips", role: "group", "aria-label": "Categories" });
  const grid = el("div", { class: "grid", id: "products" });
  const pager = el("div", { class: "pager" });
  show(category ? `Catalog: ${category}` : "Catalog", chips, error, grid, pager);
  try {
    const [categories, page] = await Promise.all([
      api("GET", "/categories"),
      api("GET", `/products?limit=12${category ? `&category=${encodeURIComponent(category)}` : ""}` +
        (cursors.length ? `&cursor=${encodeURIComponent(cursors[cursors.length - 1])}` : "")),
    ]);
    const link = (name, label) => el("button", { type: "button", "aria-pressed": name === category ? "true" : "false",
      onclick: () => { location.hash = name ? `#/?category=${encodeURIComponent(name)}` : "#/"; } }, label);
    chips.append(link("", "All"), ...categories.items.map((c) => link(c.name, `${c.name} (${c.product_count})`)));
    grid.append(...page.items.map(productCard));
    if (!page.items.length) grid.append(el("p", { class: "muted", text: "No products here yet." }));
    const base = category ? `#/?category=${encodeURIComponent(category)}&` : "#/?";
    if (cursors.length) {
      const back = cursors.slice(0, -1).join("~");
      pager.append(el("a", { class: "button secondary", href: back ? `${base}trail=${back}` : base.slice(0, -1) }, "Previous page"));
    }
    if (page.next_cursor) {
      pager.append(el("a", { class: "button", href: `${base}trail=${[...cursors, page.next_cursor].join("~")}` }, "Next page"));
    }
  } catch (e) { error.textContent = e.message; }
}

function productCard(product) {
  const error = errorLine();
  const add = el("button", { type: "button", "data-add": product.id }, "Add to cart");
  add.addEventListener("click", () => guarded(add, error, async () => {
    if (needSignIn("Sign in to add this to your cart.")) return;
    const cart = await api("GET", "/cart");
    const current = cart.items.find((line) => line.product_id === product.id);
    if (current && current.quantity >= QUANTITY.max) throw new ApiError(400, `Your cart holds ${QUANTITY.max} of ${product.name}, the most one order takes.`);
    await addToCart(product, (current ? current.quantity : 0) + 1);
    error.textContent = "";
    add.textContent = "Added ✓";
    setTimeout(() => { add.textContent = "Add to cart"; }, 1200);
  }));
  return el("article", { class: "card", "data-product": product.id },
    product.image_url ? el("img", { src: product.image_url, alt: "" }) : null,
    el("h2", {}, el("a", { href: `#/product/${encodeURIComponent(product.id)}` }, product.name)),
    el("span", { class: "muted" }, product.category),
    el("span", { class: "price" }, money(product.price_cents)),
    el("span", { class: "muted", "data-stock": product.id }, product.stock > 0 ? `${product.stock} in stock` : "Sold out"),
    add, error);
}

async function productPage(id) {
  const error = errorLine("product-error");
  show("Product", error);
  try {
    const product = await api("GET", `/products/${encodeURIComponent(id)}`, undefined, { "Cache-Control": "no-cache" });
    const quantity = el("input", { type: "number", min: 1, max: 99, value: 1, id: "quantity" });
    const add = el("button", { type: "submit" }, "Add to cart");
    const form = el("form", { class: "panel", novalidate: true }, el("label", {}, "Quantity", quantity), add, error);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      guarded(add, error, async () => {
        const wanted = checkedQuantity(quantity.value);
        if (needSignIn("Sign in to add this to your cart.")) return;
        await addToCart(product, wanted);
        location.hash = "#/cart";
      });
    });
    show(product.name,
      el("div", { class: "columns product" },
        el("div", {}, product.image_url ? el("img", { src: product.image_url, alt: "" }) : null,
          el("p", {}, product.description), el("p", { class: "muted" }, `Category: ${product.category}`)),
        el("div", {}, el("p", { class: "price" }, money(product.price_cents)),
          el("p", { "data-stock": product.id }, `${product.stock} in stock`), form)));
  } catch (e) { error.textContent = e.message; }
}

async function addToCart(product, quantity) {
  try {
    await api("PUT", `/cart/items/${encodeURIComponent(product.id)}`, { quantity });
  } catch (error) {
    throw worded(error, { 400: "Your cart holds 50 different products, the most one order takes: remove one to add this.",
      404: `${product.name} is not sold any more.` });
  }
}

function authForm(title, fields, submitLabel, onSubmit, notice = "") {
  const error = errorLine("auth-error");
  const inputs = Object.fromEntries(fields.map(([name, label, type, autocomplete]) =>
    [name, el("input", { name, type, required: true, autocomplete, id: `field-${name}` })]));
  const submit = el("button", { type: "submit" }, submitLabel);
  const form = el("form", { class: "panel", novalidate: true },
    ...fields.map(([name, label]) => el("label", { for: `field-${name}` }, label, inputs[name])), submit, error);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(submit, error, () => onSubmit(Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.value]))));
  });
  show(title, notice ? el("p", { class: "notice", role: "status", id: "auth-notice" }, notice) : "", form);
  inputs[fields[0][0]].focus();
}

// the sign-in limit's answer (429) says how long to wait: say it in minutes
function waitText(seconds) {
  const minutes = Math.ceil(seconds / 60);
  return seconds < 60 ? `${seconds} seconds` : `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

async function signIn(email, password) {
  const tokens = await api("POST", "/auth/token", { email, password }).catch((error) => {
    if (error.status === 429) throw new ApiError(429, `Too many sign-in attempts. Try again in ${waitText(error.retryAfter || 60)}.`);
    throw worded(error, { 400: "Enter your email address and password.", 401: "The email address or password is wrong." });
  });
  session.saveTokens(tokens);
  session.saveRoles([]);
  const me = await api("GET", "/users/me");
  session.saveRoles(me.roles);
  refreshChrome();
  location.hash = sessionStorage.getItem("shop.afterSignIn") || "#/";
  sessionStorage.removeItem("shop.afterSignIn");
}

function signInPage() {
  const why = sessionStorage.getItem("shop.signInWhy") || "";
  sessionStorage.removeItem("shop.signInWhy");
  authForm("Sign in", [["email", "Email", "email", "username"], ["password", "Password", "password", "current-password"]],
    "Sign in", (v) => signIn(v.email, v.password), why);
}

const PASSWORD_RULE = "Choose a password of at least 8 characters, with upper- and lower-case letters and a digit.";
function checkedSignUp(v) {
  if (!v.name.trim()) throw new ApiError(400, "Enter your name.");
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v.email)) throw new ApiError(400, "Enter a valid email address, such as ada@example.com.");
  if (v.password.length < 8 || !/[a-z]/.test(v.password) || !/[A-Z]/.test(v.password) || !/[0-9]/.test(v.password)) {
    throw new ApiError(400, PASSWORD_RULE);
  }
}

function signUpPage() {
  authForm("Create an account", [["name", "Name", "text", "name"], ["email", "Email", "email", "username"],
    ["password", "Password (8+ characters, upper and lower case, a digit)", "password", "new-password"]],
  "Sign up", async (v) => {
    checkedSignUp(v);
    await api("POST", "/users", { name: v.name, email: v.email, password: v.password }).catch((error) => {
      const field = /`(\w+)`/.exec(error.detail || "");
      throw worded(error, { 409: "An account with this email address exists already: sign in instead.",
        400: { password: PASSWORD_RULE, email: "Enter a valid email address, such as ada@example.com." }[field && field[1]] || error.message });
    });
    await signIn(v.email, v.password);
  });
}

// --- paying: Stripe.js turns the card into a PaymentMethod; only its id goes to the shop --------------
// Stripe's own Stripe.js shows its card Element (what is typed there never reaches this page's code). Where the
// Stripe in use cannot make a PaymentMethod (the local stack's localstripe: its createPaymentMethod does nothing;
// the page says data-card-input="test-cards"), the page offers Stripe's named test cards instead.
const TEST_CARDS = [["pm_card_visa", "Visa, approved"], ["pm_card_chargeCustomerFail", "Visa, declined"]];
const PAYABLE = { min: 50, max: 99999999 }; // what Stripe takes, in cents (the API's 422 otherwise)
let stripe = null; // one Stripe object for the page, as Stripe asks
function cardInput() {
  if (document.body.dataset.cardInput === "test-cards") return testCards();
  const node = el("div", { class: "card-field", id: "card-element" });
  const [element, unusable] = cardElement();
  if (unusable) {
    node.append(el("p", { class: "error" }, unusable));
    return { node, mount() {}, paymentMethod: async () => { throw new ApiError(0, unusable); } };
  }
  let mounted = false;
  return {
    node,
    mount() { if (!mounted) { element.mount(node); mounted = true; } },
    async paymentMethod() {
      const made = await stripe.createPaymentMethod({ type: "card", card: element });
      if (made.error) throw new ApiError(402, made.error.message); // Stripe.js words these for shoppers
      return made.paymentMethod.id;
    },
  };
}

// Stripe's card Element, or why there is none (Stripe.js did not load, no key, a key Stripe.js refuses)
function cardElement() {
  const key = document.body.dataset.stripeKey;
  if (!window.Stripe) return [null, "The card form could not be loaded. Check your connection and reload the page."];
  if (!key) return [null, "This shop takes no card payments yet."];
  try {
    stripe = stripe || window.Stripe(key);
    return [stripe.elements().create("card"), ""];
  } catch (error) {
    return [null, "This shop cannot take card payments just now."];
  }
}

function testCards() {
  const choices = TEST_CARDS.map(([id, label], n) => el("label", { class: "inline" },
    el("input", { type: "radio", name: "test-card", value: id, checked: n === 0 }), `${label} (${id})`));
  const node = el("fieldset", { id: "test-cards" }, el("legend", {}, "Test card"),
    el("p", { class: "muted" }, "This shop's Stripe is a local stand-in that takes no real cards: pay with one of Stripe's test cards."),
    ...choices);
  return { node, mount() {}, paymentMethod: async () => node.querySelector("input:checked").value };
}

// Stripe's reason for refusing the card, as the API names it ("the payment was refused: card_declined (...)")
const REFUSED = {
  card_declined: "Your card was declined.", expired_card: "Your card has expired.",
  incorrect_cvc: "Your card's security code is incorrect.", incorrect_number: "Your card number is incorrect.",
  processing_error: "Your card could not be charged just now.", resource_missing: "This card cannot be used.",
  authentication_required: "Your bank asks you to confirm this payment, which this shop cannot ask for yet.",
};
function refusedText(detail) {
  const reason = /refused: (\w+)/.exec(detail || "");
  return `${(reason && REFUSED[reason[1]]) || "Your card was not accepted."} Nothing was charged and your cart is kept: ` +
    "try another card.";
}

async function cartPage() {
  if (needSignIn("Sign in to see your cart.")) return;
  const error = errorLine("cart-error");
  const body = el("div", { id: "cart" });
  // the payment part is made once, outside what a quantity change redraws: a card typed into Stripe's Element stays
  const card = cardInput();
  const place = el("button", { type: "button", id: "place-order" }, "Place order");
  const payment = el("section", { class: "panel payment", id: "payment", hidden: true },
    el("h2", {}, "Payment"), card.node, place);
  let shown = null;
  place.addEventListener("click", () => checkout(place, error, shown, card));
  show("Your cart", body, payment, error);
  const render = (cart) => {
    shown = cart;
    payment.hidden = !cart.items.length;
    if (!cart.items.length) {
      body.replaceChildren(el("p", {}, "Your cart is empty. ", el("a", { href: "#/" }, "Browse the catalog")));
      return;
    }
    card.mount();
    const rows = cart.items.map((line) => {
      const quantity = el("input", { type: "number", min: 1, max: 99, value: line.quantity,
        "aria-label": `Quantity of ${line.name}` });
      const lineError = errorLine();
      quantity.addEventListener("change", () => guarded(quantity, lineError, async () =>
        render(await api("PUT", `/cart/items/${encodeURIComponent(line.product_id)}`, { quantity: checkedQuantity(quantity.value) }))));
      const remove = el("button", { type: "button", class: "secondary" }, "Remove");
      remove.addEventListener("click", () => guarded(remove, lineError, async () =>
        render(await api("DELETE", `/cart/items/${encodeURIComponent(line.product_id)}`))));
      return el("tr", { "data-line": line.product_id }, el("td", {}, line.name), el("td", {}, money(line.unit_price_cents)),
        el("td", {}, quantity), el("td", {}, money(line.line_total_cents)), el("td", {}, remove, lineError));
    });
    body.replaceChildren(
      el("table", {}, el("thead", {}, el("tr", {}, ["Product", "Price", "Quantity", "Total", ""].map((h) => el("th", {}, h)))),
        el("tbody", {}, rows)),
      el("p", { class: "price", id: "cart-total" }, `Total: ${money(cart.total_cents)}`));
  };
  try { render(await api("GET", "/cart")); } catch (e) { error.textContent = e.message; }
}

// A checkout attempt is an idempotency key and the payment method it pays with, kept until the shop gives a
// definite answer: a retry after a network error (or a double click) sends that very attempt again, so it can
// never place a second order (Stripe.js makes a new PaymentMethod each time: a new one would be another request).
async function checkout(button, error, cart, card) {
  if (button.disabled) return;
  await guarded(button, error, async () => {
    let attempt = JSON.parse(sessionStorage.getItem("shop.checkout") || "null");
    if (!attempt) {
      attempt = { key: crypto.randomUUID(), payment_method: await card.paymentMethod() };
      sessionStorage.setItem("shop.checkout", JSON.stringify(attempt));
    }
    try {
      const order = await api("POST", "/orders", { payment_method: attempt.payment_method }, { "Idempotency-Key": attempt.key });
      sessionStorage.removeItem("shop.checkout");
      location.hash = `#/orders?placed=${encodeURIComponent(order.id)}`;
    } catch (e) {
      if (e.status !== 0 && e.status < 500 && e.status !== 429) sessionStorage.removeItem("shop.checkout");
      throw await notOrdered(e, cart);
    }
  });
}

// Why the shop did not place the order, in the shopper's words; nothing was charged and the cart is as it was.
async function notOrdered(e, cart) {
  if (e.status === 409) e.message = await whyNotOrdered(cart, e.detail);
  if (e.status === 400) e.message = "Your cart changed meanwhile: reload it and place the order again.";
  if (e.status === 402) e.message = refusedText(e.detail);
  if (e.status === 422 && /total_cents/.test(e.detail)) {
    e.message = `A card payment must come to ${money(PAYABLE.min)} to ${money(PAYABLE.max)}: change your cart to order.`;
  }
  return e;
}

// A refused order names the product that stopped it (by id): say what is wrong with it, by name.
async function whyNotOrdered(cart, detail) {
  const line = cart.items.find((l) => (detail || "").includes(l.product_id));
  if (!line) return "Something in your cart changed meanwhile: reload it and place the order again.";
  let product;
  try {
    product = await api("GET", `/products/${encodeURIComponent(line.product_id)}`, undefined, { "Cache-Control": "no-cache" });
  } catch (e) {
    return e.status === 404 ? `${line.name} is not sold any more: remove it to order the rest.` : e.message;
  }
  if (product.stock === 0) return `${line.name} is sold out: remove it to order the rest.`;
  if (product.stock < line.quantity) return `Only ${product.stock} of ${line.name} left: lower the quantity to order.`;
  if (product.price_cents !== line.unit_price_cents) return `The price of ${line.name} is now ${money(product.price_cents)}: reload your cart to see it.`;
  return "Something in your cart changed meanwhile: reload it and place the order again.";
}

async function ordersPage(params) {
  if (needSignIn("Sign in to see your orders.")) return;
  const error = errorLine("orders-error");
  const list = el("div", { id: "orders", class: "grid" });
  const placed = params.get("placed");
  const orders = pagedList("/orders?limit=20", list, (order) => orderCard(order, false, (o) => orders.place(o)),
    { moreId: "more-orders", moreLabel: "Older orders", error, empty: "No orders yet.", before: newestFirst });
  show("Your orders", placed ? el("p", { class: "notice", role: "status" }, "Thank you: your order is placed.") : "", error, list,
    orders.more);
  try { await orders.load(); } catch (e) { error.textContent = e.message; }
}

// `changed(order)` is told the order an action returned; the list that holds the card shows it
const DONE = { cancel: "cancelled", ship: "shipped", deliver: "marked delivered", refund: "refunded" };
// a ship refused with 402: the card's authorization had gone, and the shop cancelled the order
const GONE = "The card's authorization had run out or been cancelled, so this order is cancelled and nothing was charged.";
const orderNotes = new Map(); // order id -> why an action was refused, shown on the card made next
function orderCard(order, admin, changed) {
  const error = errorLine();
  error.textContent = orderNotes.get(order.id) || "";
  orderNotes.delete(order.id);
  const actions = el("div", { class: "row" });
  const act = (label, action) => {
    const button = el("button", { type: "button", class: action === "cancel" ? "secondary" : "", "data-action": action }, label);
    button.addEventListener("click", () => guarded(button, error, async () => {
      try {
        changed(await api("POST", `/orders/${encodeURIComponent(order.id)}/${action}`));
      } catch (e) {
        if (e.status !== 409 && e.status !== 402) throw e;
        const now = await api("GET", `/orders/${encodeURIComponent(order.id)}`);
        orderNotes.set(order.id, e.status === 402 ? GONE : `This order is ${now.status.toLowerCase()} now, so it cannot be ${DONE[action]}.`);
        changed(now);  // its card again, as it is now, with that note
      }
    }));
    actions.append(button);
  };
  if (order.status === "PLACED") { if (admin) act("Ship", "ship"); act("Cancel order", "cancel"); }
  if (admin && order.status === "SHIPPED") act("Mark delivered", "deliver");
  if (admin && (order.status === "SHIPPED" || order.status === "DELIVERED")) act("Refund", "refund");
  const card = el("article", { class: "card", "data-order": order.id },
    el("h2", {}, `Order ${orderReference(order.id)}`),
    el("span", { class: "status", "data-status": order.status }, order.status),
    el("span", { class: "muted" }, new Date(order.created_at).toLocaleString()),
    el("ul", {}, order.items.map((line) => el("li", {}, `${line.quantity} × ${line.name} — ${money(line.line_total_cents)}`))),
    el("span", { class: "price" }, money(order.total_cents)), paymentLine(order.payment), actions, error);
  return card;
}

// What became of an order's payment, for its shopper and the admins alike (orders from before payments have none)
const PAID = { AUTHORIZED: "held on the card until the order ships", CAPTURED: "charged to the card",
  VOIDED: "released: nothing was charged", REFUNDED: "refunded to the card" };
function paymentLine(payment) {
  if (!payment) return null;
  return el("span", { class: "payment-status", "data-payment": payment.status },
    `Payment: ${money(payment.amount_cents)} ${PAID[payment.status] || payment.status.toLowerCase()}`);
}

async function inboxPage() {
  if (needSignIn("Sign in to see your messages.")) return;
  const error = errorLine("inbox-error");
  const list = el("div", { id: "inbox" });
  const notification = (note) => {
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
  };
  const notes = pagedList("/notifications?limit=20", list, notification,
    { moreId: "more-notifications", moreLabel: "Older messages", error, empty: "Nothing yet." });
  show("Inbox", error, list, notes.more);
  try { await notes.load(); } catch (e) { error.textContent = e.message; }
}

async function adminPage() {
  if (needSignIn("Sign in as an admin to manage the shop.")) return;
  if (!session.roles.includes("admin")) { show("Admin", el("p", { class: "error" }, "This page is for the shop's admins.")); return; }
  const formError = errorLine("product-form-error");
  const fields = {
    name: el("input", { id: "p-name", required: true, maxlength: 200 }),
    category: el("input", { id: "p-category", required: true, pattern: "[a-z0-9]+(-[a-z0-9]+)*" }),
    price: el("input", { id: "p-price", type: "number", min: 0, step: "0.01", required: true }),
    stock: el("input", { id: "p-stock", type: "number", min: 0, step: 1, value: 0 }),
    delta: el("input", { id: "p-stock-delta", type: "number", step: 1, placeholder: "+10 or -3" }),
    description: el("textarea", { id: "p-description", rows: 3, maxlength: 5000 }),
    image: el("input", { id: "p-image", type: "url", placeholder: "https://…" }),
    flash: el("input", { id: "p-flash", type: "checkbox" }),
  };
  // editing: the product as loaded, and its ETag. A save sends only what the admin changed; stock changes go
  // as a delta (a sale in between is kept); setting the stock outright is sent with If-Match, so a sale since
  // the form was loaded makes the shop refuse it (412) and the form reload.
  let editing = null;
  const save = el("button", { type: "submit", id: "save-product" }, "Create product");
  const saved = el("p", { class: "notice", role: "status", id: "product-form-status" });
  const form = el("form", { class: "panel", id: "product-form", novalidate: true },
    el("label", { for: "p-name" }, "Name", fields.name), el("label", { for: "p-category" }, "Category (a-z, 0-9, -)", fields.category),
    el("label", { for: "p-price" }, `Price (${currency})`, fields.price), el("label", { for: "p-stock" }, "Stock", fields.stock),
    el("label", { for: "p-stock-delta", id: "p-stock-delta-label", hidden: true }, "Add or remove units", fields.delta),
    el("label", { for: "p-description" }, "Description", fields.description), el("label", { for: "p-image" }, "Image URL (https)", fields.image),
    el("label", { for: "p-flash", class: "inline" }, fields.flash, " Flash sale (sells very fast)"),
    save, formError, saved);
  const fill = (p, etag) => {
    editing = { product: p, etag }; save.textContent = "Save changes";
    fields.name.value = p.name; fields.category.value = p.category; fields.price.value = (p.price_cents / 100).toFixed(2);
    fields.stock.value = p.stock; fields.delta.value = ""; fields.description.value = p.description;
    fields.image.value = p.image_url || ""; fields.flash.checked = p.flash_sale;
    document.getElementById("p-stock-delta-label").hidden = false;
  };
  const load = async (id) => {
    const { data, etag } = await call("GET", `/products/${encodeURIComponent(id)}`, undefined, { "Cache-Control": "no-cache" });
    fill(data, etag);
  };
  const changes = () => {
    checkedProduct(fields);
    const was = editing.product;
    const now = { name: fields.name.value, category: fields.category.value,
      price_cents: Math.round(Number(fields.price.value) * 100), description: fields.description.value,
      image_url: fields.image.value || null, flash_sale: fields.flash.checked };
    const body = Object.fromEntries(Object.entries(now).filter(([k, v]) => v !== was[k]));
    const stock = Number(fields.stock.value);
    const delta = fields.delta.value === "" ? 0 : Number(fields.delta.value);
    if (delta && stock !== was.stock) throw new ApiError(400, "Either set the stock or add/remove units, not both.");
    if (delta) body.stock_delta = delta;
    else if (stock !== was.stock) body.stock = stock;
    return body;
  };
  const products = el("tbody", { id: "admin-products" });
  const catalogError = errorLine("admin-catalog-error");
  const ordersError = errorLine("admin-orders-error");
  const ordersStatus = el("p", { class: "notice", role: "status", id: "admin-orders-status" });
  // a list per status the admin acts on or looks up: [status, title, its "More" button, what it says when empty]
  const lists = [["PLACED", "To ship", "More orders to ship", "Nothing to ship."],
    ["SHIPPED", "To deliver", "More orders to deliver", "Nothing to deliver."],
    ["DELIVERED", "Delivered", "More delivered orders", "Nothing delivered yet."],
    ["REFUNDED", "Refunded", "More refunded orders", "Nothing refunded."]].map(([status, title, label, empty]) => {
    const node = el("div", { class: "grid", id: `admin-orders-${status.toLowerCase()}` });
    return { status, title, node, list: pagedList(`/admin/orders?status=${status}&limit=20`, node,
      (order) => orderCard(order, true, moved),
      { moreId: `more-${status.toLowerCase()}`, moreLabel: label, error: ordersError, empty, before: newestFirst }) };
  });
  const byStatus = Object.fromEntries(lists.map(({ status, list }) => [status, list]));
  // an order moves to its new status's list (shipped: from "To ship" to "To deliver"); one cancelled stays where
  // it is, marked
  function moved(order) {
    ordersStatus.textContent = `Order ${orderReference(order.id)} is ${order.status}.`;
    const to = byStatus[order.status];
    for (const { list } of lists) {
      if (list !== to && list.has(order.id)) { if (to) list.remove(order.id); else list.place(order); }
    }
    to?.place(order);
  }
  const catalog = pagedList("/products?limit=50", products, (p) => productRow(p),
    { moreId: "more-products", moreLabel: "More products", error: catalogError, before: (a, b) => a.id < b.id });
  show("Admin", el("div", { class: "columns" }, el("section", {}, el("h2", {}, "Product"), form),
    el("section", { id: "admin-orders" }, el("h2", {}, "Orders"), ordersError, ordersStatus,
      ...lists.flatMap(({ title, node, list }) => [el("h3", {}, title), node, list.more]))),
  el("h2", {}, "Catalog"), catalogError,
  el("table", {}, el("thead", {}, el("tr", {}, ["Name", "Category", "Price", "Stock", ""].map((h) => el("th", {}, h)))), products),
  catalog.more);

  const productRow = (p) => {
    const rowError = errorLine();
    const edit = el("button", { type: "button", class: "secondary" }, "Edit");
    edit.addEventListener("click", () => guarded(edit, rowError, async () => {
      saved.textContent = ""; await load(p.id); fields.name.focus();
    }));
    const remove = el("button", { type: "button", class: "secondary" }, "Delete");
    remove.addEventListener("click", () => guarded(remove, rowError, async () => {
      await api("DELETE", `/products/${encodeURIComponent(p.id)}`); catalog.remove(p.id);
    }));
    const row = el("tr", { "data-admin-product": p.id }, el("td", {}, p.name), el("td", {}, p.category),
      el("td", {}, money(p.price_cents)), el("td", {}, p.stock), el("td", {}, edit, " ", remove, rowError));
    return row;
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    saved.textContent = "";
    guarded(save, formError, async () => {
      let product;
      if (editing) {
        const body = changes();
        if (!Object.keys(body).length) { saved.textContent = "Nothing changed."; return; }
        const id = editing.product.id;
        try {
          product = await api("PATCH", `/products/${encodeURIComponent(id)}`, body,
            "stock" in body ? { "If-Match": editing.etag } : {});
        } catch (error) {
          if (error.status === 409 && "stock_delta" in body) {
            await load(id);
            throw worded(error, { 409: `Fewer units are in stock than you asked to remove: it has ${editing.product.stock} now.` });
          }
          if (error.status !== 412) throw error;
          await load(id);
          throw new ApiError(412, "This product changed since you opened it (a sale, or another admin). " +
            "It has been reloaded: check the stock and save again.");
        }
      } else {
        checkedProduct(fields);
        product = await api("POST", "/products", { name: fields.name.value, category: fields.category.value,
          price_cents: Math.round(Number(fields.price.value) * 100), stock: Number(fields.stock.value || 0),
          description: fields.description.value, image_url: fields.image.value || null, flash_sale: fields.flash.checked });
      }
      editing = null; save.textContent = "Create product"; form.reset();
      document.getElementById("p-stock-delta-label").hidden = true;
      saved.textContent = `Saved ${product.name} (${money(product.price_cents)}, ${product.stock} in stock).`;
      await catalog.place(product); // its row in place; a new one where it sorts, once that part is loaded
    });
  });
  await Promise.all([[catalog, catalogError], ...lists.map(({ list }) => [list, ordersError])].map(([list, error]) =>
    list.load().catch((e) => { error.textContent = e.message; })));
}

// The admin's product form, checked here with the API's own limits, so its answers name no field syntax.
const PRODUCT_RULES = [
  ["name", (v) => v.trim() && v.length <= 200, "Enter the product's name (up to 200 characters)."],
  ["category", (v) => /^[a-z0-9]+(-[a-z0-9]+)*$/.test(v) && v.length <= 50,
    "Category: lower-case letters and digits, words joined by single hyphens, such as garden-tools (up to 50)."],
  ["price", (v) => /^\d+(\.\d{1,2})?$/.test(v.trim()) && Number(v) <= 1000000, "Price: an amount such as 12.50, up to 1,000,000.00."],
  ["stock", (v) => v === "" || (/^\d+$/.test(v) && Number(v) <= 1e9), "Stock: a whole number from 0 to 1,000,000,000."],
  ["delta", (v) => v === "" || (/^[-+]?\d+$/.test(v) && Number(v) !== 0), "Add or remove units: a whole number such as 10 or -3."],
  ["image", (v) => v === "" || v.startsWith("https://"), "Image URL: an address starting with https://"],
];
function checkedProduct(fields) {
  for (const [name, valid, rule] of PRODUCT_RULES) {
    if (!valid(fields[name].value)) { fields[name].focus(); throw new ApiError(400, rule); }
  }
}

// --- chrome: who is signed in, the unread count --------------------------------------------------
function refreshChrome() {
  const signedIn = Boolean(session.token);
  document.querySelectorAll("[data-signed-in]").forEach((n) => { n.hidden = !signedIn; });
  document.querySelectorAll("[data-signed-out]").forEach((n) => { n.hidden = signedIn; });
  document.querySelectorAll("[data-admin]").forEach((n) => { n.hidden = !session.roles.includes("admin"); });
  pollUnread();
}

async function pollUnread() {
  const badge = document.getElementById("unread");
  if (!session.token) { badge.hidden = true; return; }
  try {
    const page = await api("GET", "/notifications?limit=100");
    const unread = page.items.filter((n) => !n.read).length;
    badge.textContent = String(unread);
    badge.hidden = unread === 0;
  } catch (e) { /* the next poll tries again */ }
}

function route() {
  const [path, query] = (location.hash.slice(1) || "/").split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean);
  const pages = { "": () => catalogPage(params), product: () => productPage(decodeURIComponent(parts[1] || "")),
    signin: signInPage, signup: signUpPage, cart: cartPage, orders: () => ordersPage(params), inbox: inboxPage,
    admin: adminPage };
  (pages[parts[0] || ""] || (() => show("Not found", el("p", {}, "No such page."))))();
}

// Signing out revokes the refresh token at the shop, so a copy of it is worthless; this tab forgets both tokens
// even when the shop cannot be reached.
document.getElementById("signout").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    if (session.refreshToken) await api("POST", "/auth/sign-out", { refresh_token: session.refreshToken });
  } catch (error) { /* signed out in this tab all the same */ } finally { button.disabled = false; }
  session.clear(); refreshChrome(); location.hash = "#/";
});
window.addEventListener("hashchange", route);
scheduleRenewal();
refreshChrome();
route();
setInterval(pollUnread, 5000);
