// The cart: its lines, their quantities, and the payment part that places the order (paying.js).
import { api } from "./api.js";
import { el, errorLine, guarded, show } from "./dom.js";
import { checkedQuantity } from "./errors.js";
import { money } from "./format.js";
import { cardInput, checkout } from "./paying.js";
import { needSignIn } from "./session.js";

export async function cartPage() {
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
    body.replaceChildren(
      el("table", {}, el("thead", {}, el("tr", {}, ["Product", "Price", "Quantity", "Total", ""].map((h) => el("th", {}, h)))),
        el("tbody", {}, cart.items.map((line) => cartLine(line, render)))),
      el("p", { class: "price", id: "cart-total" }, `Total: ${money(cart.total_cents)}`));
  };
  try { render(await api("GET", "/cart")); } catch (e) { error.textContent = e.message; }
}

// a line of the cart: its quantity changed or the line removed, `render` shows the cart the shop answers
function cartLine(line, render) {
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
}
