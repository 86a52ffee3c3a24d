"""The Chalice app, made safe for Chalice's threaded local server."""

import threading

from chalice import Chalice


class ShopChalice(Chalice):
    """Chalice keeps the current request on the app object; Chalice's threaded local server then lets
    one request read another's. Keep it per thread (Lambda runs one request at a time anyway)."""

    @property
    def _state(self) -> threading.local:
        state = self.__dict__.get("_thread_state")
        if state is None:
            state = self.__dict__.setdefault("_thread_state", threading.local())
        return state

    @property
    def current_request(self):
        return getattr(self._state, "request", None)

    @current_request.setter
    def current_request(self, value) -> None:
        self._state.request = value

    @property
    def lambda_context(self):
        return getattr(self._state, "context", None)

    @lambda_context.setter
    def lambda_context(self, value) -> None:
        self._state.context = value
