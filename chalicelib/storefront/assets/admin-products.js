// The admin's products: the form that creates a product or saves changes to one, and the catalog table.
// Editing: the product as loaded, and its ETag. A save sends only what the admin changed; stock changes go
// as a delta (a sale in between is kept); setting the stock outright is sent with If-Match, so a sale since
// the form was loaded makes the shop refuse it (412) and the form reload.
import { api, call } from "./api.js";
import { el, errorLine, guarded } from "./dom.js";
import { ApiError, worded } from "./errors.js";
import { currency, money } from "./format.js";
import { pagedList } from "./paged.js";

// the form and the table it saves to, and what the page shows of them: { form, table, catalog, catalogError }
export function productEditor() {
  const fields = productFields();
  const editor = { fields, editing: null,
    save: el("button", { type: "submit", id: "save-product" }, "Create product"),
    saved: el("p", { class: "notice", role: "status", id: "product-form-status" }),
    formError: errorLine("product-form-error"), catalogError: errorLine("admin-catalog-error"),
    deltaLabel: el("label", { for: "p-stock-delta", id: "p-stock-delta-label", hidden: true }, "Add or remove units", fields.delta) };
  editor.form = productForm(editor);
  editor.form.addEventListener("submit", (event) => {
    event.preventDefault();
    editor.saved.textContent = "";
    guarded(editor.save, editor.formError, () => saveProduct(editor));
  });
  const rows = el("tbody", { id: "admin-products" });
  editor.catalog = pagedList("/products?limit=50", rows, (p) => productRow(editor, p),
    { moreId: "more-products", moreLabel: "More products", error: editor.catalogError, before: (a, b) => a.id < b.id });
  editor.table = el("table", {},
    el("thead", {}, el("tr", {}, ["Name", "Category", "Price", "Stock", ""].map((h) => el("th", {}, h)))), rows);
  return editor;
}

function productFields() {
  return {
    name: el("input", { id: "p-name", required: true, maxlength: 200 }),
    category: el("input", { id: "p-category", required: true, pattern: "[a-z0-9]+(-[a-z0-9]+)*" }),
    price: el("input", { id: "p-price", type: "number", min: 0, step: "0.01", required: true }),
    stock: el("input", { id: "p-stock", type: "number", min: 0, step: 1, value: 0 }),
    delta: el("input", { id: "p-stock-delta", type: "number", step: 1, placeholder: "+10 or -3" }),
    description: el("textarea", { id: "p-description", rows: 3, maxlength: 5000 }),
    image: el("input", { id: "p-image", type: "url", placeholder: "https://…" }),
    flash: el("input", { id: "p-flash", type: "checkbox" }),
  };
}

function productForm({ fields, deltaLabel, save, formError, saved }) {
  return el("form", { class: "panel", id: "product-form", novalidate: true },
    el("label", { for: "p-name" }, "Name", fields.name), el("label", { for: "p-category" }, "Category (a-z, 0-9, -)", fields.category),
    el("label", { for: "p-price" }, `Price (${currency})`, fields.price), el("label", { for: "p-stock" }, "Stock", fields.stock),
    deltaLabel,
    el("label", { for: "p-description" }, "Description", fields.description), el("label", { for: "p-image" }, "Image URL (https)", fields.image),
    el("label", { for: "p-flash", class: "inline" }, fields.flash, " Flash sale (sells very fast)"),
    save, formError, saved);
}

function productRow(editor, p) {
  const rowError = errorLine();
  const edit = el("button", { type: "button", class: "secondary" }, "Edit");
  edit.addEventListener("click", () => guarded(edit, rowError, async () => {
    editor.saved.textContent = ""; await load(editor, p.id); editor.fields.name.focus();
  }));
  const remove = el("button", { type: "button", class: "secondary" }, "Delete");
  remove.addEventListener("click", () => guarded(remove, rowError, async () => {
    await api("DELETE", `/products/${encodeURIComponent(p.id)}`); editor.catalog.remove(p.id);
  }));
  return el("tr", { "data-admin-product": p.id }, el("td", {}, p.name), el("td", {}, p.category),
    el("td", {}, money(p.price_cents)), el("td", {}, p.stock), el("td", {}, edit, " ", remove, rowError));
}

// the product as the shop has it now, in the form to edit
async function load(editor, id) {
  const { data: p, etag } = await call("GET", `/products/${encodeURIComponent(id)}`, undefined, { "Cache-Control": "no-cache" });
  const { fields } = editor;
  editor.editing = { product: p, etag }; editor.save.textContent = "Save changes";
  fields.name.value = p.name; fields.category.value = p.category; fields.price.value = (p.price_cents / 100).toFixed(2);
  fields.stock.value = p.stock; fields.delta.value = ""; fields.description.value = p.description;
  fields.image.value = p.image_url || ""; fields.flash.checked = p.flash_sale;
  editor.deltaLabel.hidden = false;
}

async function saveProduct(editor) {
  const product = editor.editing ? await saveChanges(editor) : await createProduct(editor.fields);
  if (!product) return; // nothing changed
  editor.editing = null; editor.save.textContent = "Create product"; editor.form.reset();
  editor.deltaLabel.hidden = true;
  editor.saved.textContent = `Saved ${product.name} (${money(product.price_cents)}, ${product.stock} in stock).`;
  await editor.catalog.place(product); // its row in place; a new one where it sorts, once that part is loaded
}

function createProduct(fields) {
  checkedProduct(fields);
  return api("POST", "/products", { name: fields.name.value, category: fields.category.value,
    price_cents: Math.round(Number(fields.price.value) * 100), stock: Number(fields.stock.value || 0),
    description: fields.description.value, image_url: fields.image.value || null, flash_sale: fields.flash.checked });
}

async function saveChanges(editor) {
  const body = changes(editor.fields, editor.editing.product);
  if (!Object.keys(body).length) { editor.saved.textContent = "Nothing changed."; return null; }
  const id = editor.editing.product.id;
  try {
    return await api("PATCH", `/products/${encodeURIComponent(id)}`, body,
      "stock" in body ? { "If-Match": editor.editing.etag } : {});
  } catch (error) {
    throw await refusedSave(editor, id, body, error);
  }
}

// what the admin changed in the form, as the shop takes it
function changes(fields, was) {
  checkedProduct(fields);
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
}

// a save the shop refused because the stock moved meanwhile: the form reloads and says so
async function refusedSave(editor, id, body, error) {
  if (error.status === 409 && "stock_delta" in body) {
    await load(editor, id);
    return worded(error, { 409: `Fewer units are in stock than you asked to remove: it has ${editor.editing.product.stock} now.` });
  }
  if (error.status !== 412) return error;
  await load(editor, id);
  return new ApiError(412, "This product changed since you opened it (a sale, or another admin). " +
    "It has been reloaded: check the stock and save again.");
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
