"""The demo catalog `make run` seeds: 28 products in 5 categories, added once (seeding again adds nothing)."""

from chalicelib import bootstrap
from chalicelib.cache import NoCache
from chalicelib.products.service import Products

DEMO = {
    "kitchen": [
        (
            "Cast-Iron Skillet, 26 cm",
            3900,
            40,
            "Pre-seasoned, oven-safe to 260 °C; heats evenly and lasts for decades.",
        ),
        (
            "Chef's Knife, 20 cm",
            8900,
            25,
            "Forged stainless steel with a full tang and a balanced walnut handle.",
        ),
        (
            "Pour-Over Coffee Kettle",
            4500,
            30,
            "Gooseneck spout for a slow, steady pour; 1 litre, induction-ready.",
        ),
        (
            "Maple Cutting Board",
            3200,
            35,
            "Edge-grain hard maple, 45 × 30 cm, with a juice groove.",
        ),
        (
            "Enamel Dutch Oven, 5 l",
            11900,
            12,
            "Braise, bake bread, simmer stews; enamelled cast iron in deep blue.",
        ),
        (
            "Stoneware Mixing Bowls (set of 3)",
            4800,
            20,
            "Nesting bowls, 1, 2 and 3.5 litres; dishwasher-safe.",
        ),
    ],
    "books": [
        (
            "The Pragmatic Pantry",
            2400,
            50,
            "Cooking from what you have: 120 recipes for weeknights.",
        ),
        (
            "A Field Guide to Clouds",
            1900,
            45,
            "Identify every cloud you see, with photographs and sketches.",
        ),
        (
            "Designing Data Systems",
            4600,
            30,
            "Reliable, scalable and maintainable systems from first principles.",
        ),
        (
            "Small Gardens, Big Harvests",
            2200,
            28,
            "Growing food on balconies, roofs and windowsills.",
        ),
        ("The Quiet Mountain", 1600, 60, "A novel of a winter spent in a remote mountain hut."),
        ("Sketching Every Day", 2000, 33, "Ten minutes a day to draw with confidence."),
    ],
    "outdoor": [
        (
            "Ultralight Tent, 2 person",
            32900,
            8,
            "1.3 kg, freestanding, two doors and two vestibules.",
        ),
        (
            "Down Sleeping Bag, -5 °C",
            24900,
            10,
            "Responsibly sourced 700-fill down, compressible to 4 litres.",
        ),
        (
            "Trekking Poles (pair)",
            7900,
            22,
            "Carbon shafts with cork grips and quick-lock adjustment.",
        ),
        ("Insulated Water Bottle, 750 ml", 2900, 70, "Keeps drinks cold 24 hours or hot 12 hours."),
        ("Headlamp, 400 lumen", 3500, 40, "Rechargeable, red-light mode, waterproof to IPX7."),
        ("Camp Stove", 5900, 15, "Compact canister stove that boils a litre in 3.5 minutes."),
    ],
    "home-office": [
        (
            "Walnut Monitor Stand",
            8900,
            18,
            "Raises your screen 10 cm and hides the clutter beneath.",
        ),
        ("Mechanical Keyboard", 12900, 14, "Tenkeyless, hot-swappable switches, PBT keycaps."),
        (
            "Desk Lamp with Dimmer",
            6900,
            26,
            "Warm-to-cool LED with a weighted base and a long reach.",
        ),
        ("Ergonomic Mouse", 5900, 30, "Vertical grip that keeps your wrist in a neutral position."),
        ("Cork Desk Mat", 2500, 40, "80 × 40 cm natural cork, soft under the wrists."),
    ],
    "garden": [
        ("Hand Trowel", 1800, 55, "Stainless blade with depth markings and an ash handle."),
        ("Watering Can, 9 l", 3900, 20, "Galvanised steel with a brass rose for a gentle shower."),
        ("Pruning Shears", 3400, 35, "Bypass blades that cut clean up to 20 mm."),
        ("Raised Bed Kit", 14900, 6, "Cedar planks, 120 × 60 cm, no tools needed."),
        (
            "Heirloom Seed Collection",
            1500,
            80,
            "Twelve varieties of vegetables and herbs, open-pollinated.",
        ),
    ],
}


def seed() -> int:
    """Add the demo products that are not in the catalog yet; returns how many were added."""
    catalog = bootstrap.services().catalog
    present = set()
    for category in DEMO:
        after = None
        while True:
            page, after = catalog.page(category, 100, after)
            present.update(p.name for p in page)
            if after is None:
                break
    products = Products(catalog, NoCache())
    added = 0
    for category, rows in DEMO.items():
        for name, price, stock, description in rows:
            if name in present:
                continue
            products.create(
                {
                    "name": name,
                    "category": category,
                    "price_cents": price,
                    "stock": stock,
                    "description": description,
                    "image_url": None,
                }
            )
            added += 1
    return added
