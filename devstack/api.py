"""A JSON client over chalice.test.Client, so tests, benchmarks and seeding read as requests."""

import json as jsonlib


class Api:
    """The HTTP client with JSON bodies and a token, so tests read as requests."""

    def __init__(self, client, token: str = "") -> None:
        self._client = client
        self.token = token
        self.user_id = ""  # who the token is for, where the caller knows it
        self.email = ""

    def request(self, method: str, path: str, json=None, headers=None, body=None):
        sent = {"Content-Type": "application/json"}
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        sent.update(headers or {})
        payload = (
            body
            if body is not None
            else (jsonlib.dumps(json).encode() if json is not None else b"")
        )
        response = getattr(self._client.http, method.lower())(path, headers=sent, body=payload)
        is_json = {k.lower(): v for k, v in response.headers.items()}.get(
            "content-type", ""
        ).startswith("application/json")
        response.json = jsonlib.loads(response.body) if response.body and is_json else None
        return response

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json=json, **kw)

    def put(self, path, json=None, **kw):
        return self.request("PUT", path, json=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.request("PATCH", path, json=json, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)
