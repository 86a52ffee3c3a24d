# Every Lambda handler (app.app, the authorizer in chalicelib.auth, the event handlers) imports this package
# first, so SnapStart's runtime hooks are registered here, whichever function the runtime loads.
from chalicelib import snapstart

snapstart.register()
