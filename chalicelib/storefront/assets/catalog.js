// The catalog, a page of products at a time by category, and a product's own page.
import { api } from "./api.js";
import { el, errorLine, guarded, show } from "./dom.js";
import { ApiError, QUANTITY, checkedQuantity, worded } from "./errors.js";
import { money } from "./format.js";
import { needSignIn } from "./session.js";

export async function catalogPage(params) {
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

export async function productPage(id) {
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
