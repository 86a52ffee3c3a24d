// The admin page: the product form and the catalog (admin-products.js), and the orders by status to act on.
import { productEditor } from "./admin-products.js";
import { el, errorLine, show } from "./dom.js";
import { orderReference } from "./format.js";
import { orderCard } from "./orders.js";
import { newestFirst, pagedList } from "./paged.js";
import { needSignIn, session } from "./session.js";

export async function adminPage() {
  if (needSignIn("Sign in as an admin to manage the shop.")) return;
  if (!session.roles.includes("admin")) { show("Admin", el("p", { class: "error" }, "This page is for the shop's admins.")); return; }
  const products = productEditor();
  const orders = orderLists();
  show("Admin", el("div", { class: "columns" }, el("section", {}, el("h2", {}, "Product"), products.form), orders.section),
    el("h2", {}, "Catalog"), products.catalogError, products.table, products.catalog.more);
  await Promise.all([[products.catalog, products.catalogError], ...orders.lists.map((list) => [list, orders.error])]
    .map(([list, error]) => list.load().catch((e) => { error.textContent = e.message; })));
}

// a list per status the admin acts on or looks up: [status, title, its "More" button, what it says when empty]
const ORDER_LISTS = [["PLACED", "To ship", "More orders to ship", "Nothing to ship."],
  ["SHIPPED", "To deliver", "More orders to deliver", "Nothing to deliver."],
  ["DELIVERED", "Delivered", "More delivered orders", "Nothing delivered yet."],
  ["REFUNDED", "Refunded", "More refunded orders", "Nothing refunded."]];

// the orders' section of the page: { section, error, lists }
function orderLists() {
  const error = errorLine("admin-orders-error");
  const said = el("p", { class: "notice", role: "status", id: "admin-orders-status" });
  const byStatus = {}; // status -> its paged list
  const parts = ORDER_LISTS.flatMap(([status, title, label, empty]) => {
    const node = el("div", { class: "grid", id: `admin-orders-${status.toLowerCase()}` });
    byStatus[status] = pagedList(`/admin/orders?status=${status}&limit=20`, node,
      (order) => orderCard(order, true, (changed) => moved(byStatus, said, changed)),
      { moreId: `more-${status.toLowerCase()}`, moreLabel: label, error, empty, before: newestFirst });
    return [el("h3", {}, title), node, byStatus[status].more];
  });
  const section = el("section", { id: "admin-orders" }, el("h2", {}, "Orders"), error, said, ...parts);
  return { section, error, lists: Object.values(byStatus) };
}

// an order moves to its new status's list (shipped: from "To ship" to "To deliver"); one cancelled stays where
// it is, marked
function moved(byStatus, said, order) {
  said.textContent = `Order ${orderReference(order.id)} is ${order.status}.`;
  const to = byStatus[order.status];
  for (const list of Object.values(byStatus)) {
    if (list !== to && list.has(order.id)) { if (to) list.remove(order.id); else list.place(order); }
  }
  to?.place(order);
}
