// The shop's one way to show money and orders, the same as its inbox and emails (chalicelib/display.py):
// "$1,167.00", "-$5.00", "CHF 167.00"; an order is named by the end of its id, "Order 2CH2S05Q".
export const currency = document.body.dataset.currency || "USD";
const currencyPrefix = document.body.dataset.currencyPrefix ?? `${currency} `;

export function money(cents) {
  const whole = Math.trunc(Math.abs(cents) / 100), part = Math.abs(cents) % 100;
  return `${cents < 0 ? "-" : ""}${currencyPrefix}${whole.toLocaleString("en-US")}.${String(part).padStart(2, "0")}`;
}
export function orderReference(id) { return id.slice(-8).toUpperCase(); }
