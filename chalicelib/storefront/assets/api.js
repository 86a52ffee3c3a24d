// The shop's public API: JSON both ways, the session's token sent (and renewed once when refused), and a
// progress bar for slow requests.
import { refusal, unreachable } from "./errors.js";
import { endSession, renew, session } from "./session.js";

let inFlight = 0;
let progressTimer = null;
function busy(delta) {
  inFlight += delta;
  const bar = document.getElementById("progress");
  document.body.setAttribute("aria-busy", inFlight > 0 ? "true" : "false");
  if (inFlight > 0 && !progressTimer && bar.hidden) {
    progressTimer = setTimeout(() => { bar.hidden = inFlight === 0; progressTimer = null; }, 150);
  } else if (inFlight === 0) {
    clearTimeout(progressTimer); progressTimer = null; bar.hidden = true;
  }
}

export async function api(method, path, body, headers = {}) {
  return (await call(method, path, body, headers)).data;
}

// the answer and its ETag (a product's, for If-Match)
export async function call(method, path, body, headers = {}, renewed = false) {
  const sent = { "Content-Type": "application/json", ...headers };
  if (session.token) sent.Authorization = `Bearer ${session.token}`;
  busy(+1);
  let response;
  try {
    response = await fetch(path, { method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw unreachable();
  } finally {
    busy(-1);
  }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    if ((response.status === 401 || response.status === 403) && session.token && path !== "/auth/token" &&
        !(data && data.Code === "ForbiddenError" && data.Message !== "the token was refused")) {
      if (!renewed && session.refreshToken) {
        await renew();  // throws when it cannot renew (and then ends the session unless the network failed)
        return call(method, path, body, headers, true);
      }
      endSession();
    }
    throw refusal(response, data);
  }
  return { data, etag: response.headers.get("ETag") };
}
