// A shopper's orders, and the card that shows an order here and on the admin page.
import { api } from "./api.js";
import { el, errorLine, guarded, show } from "./dom.js";
import { money, orderReference } from "./format.js";
import { newestFirst, pagedList } from "./paged.js";
import { needSignIn } from "./session.js";

export async function ordersPage(params) {
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
export function orderCard(order, admin, changed) {
  const error = errorLine();
  error.textContent = orderNotes.get(order.id) || "";
  orderNotes.delete(order.id);
  const actions = el("div", { class: "row" });
  const act = (label, action) => actions.append(actionButton(order, label, action, error, changed));
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

// an order's action (ship, cancel, ...); refused because the order moved on, its card shows it as it is now
function actionButton(order, label, action, error, changed) {
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
  return button;
}

// What became of an order's payment, for its shopper and the admins alike (orders from before payments have none)
const PAID = { AUTHORIZED: "held on the card until the order ships", CAPTURED: "charged to the card",
  VOIDED: "released: nothing was charged", REFUNDED: "refunded to the card" };
function paymentLine(payment) {
  if (!payment) return null;
  return el("span", { class: "payment-status", "data-payment": payment.status },
    `Payment: ${money(payment.amount_cents)} ${PAID[payment.status] || payment.status.toLowerCase()}`);
}
