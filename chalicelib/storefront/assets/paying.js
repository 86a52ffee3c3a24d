// Paying: Stripe.js turns the card into a PaymentMethod; only its id goes to the shop.
// Stripe's own Stripe.js shows its card Element (what is typed there never reaches this page's code). Where the
// Stripe in use cannot make a PaymentMethod (the local stack's localstripe: its createPaymentMethod does nothing;
// the page says data-card-input="test-cards"), the page offers Stripe's named test cards instead.
import { api } from "./api.js";
import { el, guarded } from "./dom.js";
import { ApiError } from "./errors.js";
import { money } from "./format.js";

const TEST_CARDS = [["pm_card_visa", "Visa, approved"], ["pm_card_chargeCustomerFail", "Visa, declined"]];
const PAYABLE = { min: 50, max: 99999999 }; // what Stripe takes, in cents (the API's 422 otherwise)
let stripe = null; // one Stripe object for the page, as Stripe asks
export function cardInput() {
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

// A checkout attempt is an idempotency key and the payment method it pays with, kept until the shop gives a
// definite answer: a retry after a network error (or a double click) sends that very attempt again, so it can
// never place a second order (Stripe.js makes a new PaymentMethod each time: a new one would be another request).
export async function checkout(button, error, cart, card) {
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
