"""How the shop shows money and orders to people, in the inbox, the emails and the storefront alike (the page
gets the currency's symbol from here, and app.js applies the same rule). Standard library only."""

# the currencies with a symbol of their own; any other is shown by its code: "CHF 167.00"
_SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "JPY": "¥",
    "INR": "₹",
}
REFERENCE_LENGTH = (
    8  # the end of an order's id: its random part, enough to tell a shopper's orders apart
)


def currency_prefix(currency: str) -> str:
    """What stands before the amount: "$", or the code and a space where there is no symbol."""
    return _SYMBOLS.get(currency, f"{currency} ")


def money(cents: int, currency: str) -> str:
    """`$1,167.00`, `-$5.00`, `CHF 167.00`: cents as a shopper reads them."""
    whole, part = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{currency_prefix(currency)}{whole:,}.{part:02d}"


def order_reference(order_id: str) -> str:
    """How an order is named to its shopper ("order 2CH2S05Q"); the API's id stays whole."""
    return order_id[-REFERENCE_LENGTH:].upper()


def count(number: int, thing: str) -> str:
    """`1 item`, `3 items`."""
    return f"{number} {thing}{'' if number == 1 else 's'}"
