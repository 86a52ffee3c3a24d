"""The shop's Lambda entry point: wiring only."""
from chalicelib import auth, web
from chalicelib.orders.routes import bp as orders
from chalicelib.products.routes import bp as products
from chalicelib.system import bp as system
from chalicelib.users.routes import bp as users

auth.refuse_local_endpoint_in_lambda()

# Powertools' Logger writes the JSON log lines; Chalice's own handler on the same logger would double them
app = web.ShopChalice(app_name="shop", configure_logs=False)
app.register_middleware(web.request_id_middleware, "http")
app.register_blueprint(auth.bp)
app.register_blueprint(system)
app.register_blueprint(users)
app.register_blueprint(products)
app.register_blueprint(orders)
