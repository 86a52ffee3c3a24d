// What a shopper reads when something fails. The storefront words its own messages from what it knows (a
// product's name, the allowed range); the API's text is for developers and the OpenAPI client, kept on the
// error as `detail`.
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
export class ApiError extends Error {
  constructor(status, message, detail = "", retryAfter = 0) {
    super(message); this.status = status; this.detail = detail; this.retryAfter = retryAfter;
  }
}
export const refusal = (response, data) => {
  const detail = (data && (data.Message || data.message)) || `HTTP ${response.status}`;
  return new ApiError(response.status, shopperText(response.status, detail), detail,
    Number(response.headers.get("Retry-After")) || 0);
};
export const unreachable = () => new ApiError(0, "The shop could not be reached. Check your connection and try again.");
// `words` maps a status to the page's own sentence for it
export const worded = (error, words) => Object.assign(error, { message: words[error.status] || error.message });
export const QUANTITY = { min: 1, max: 99 };
export function checkedQuantity(value) {
  const quantity = Number(value);
  if (!Number.isInteger(quantity) || quantity < QUANTITY.min || quantity > QUANTITY.max) {
    throw new ApiError(400, `Choose a quantity from ${QUANTITY.min} to ${QUANTITY.max}.`);
  }
  return quantity;
}
