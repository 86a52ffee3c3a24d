"""The HTTP edge every blueprint shares: app (the thread-safe Chalice app), routing (the route decorator that
checks the caller, decodes the body and maps errors), request (what a view reads of a request), responses
(JSON answers, cache headers, ETags, errors), cursors (signed list positions), middleware (the request id)."""
