// Signing in and signing up.
import { api } from "./api.js";
import { refreshChrome } from "./chrome.js";
import { el, errorLine, guarded, show } from "./dom.js";
import { ApiError, worded } from "./errors.js";
import { session } from "./session.js";

function authForm(title, fields, submitLabel, onSubmit, notice = "") {
  const error = errorLine("auth-error");
  const inputs = Object.fromEntries(fields.map(([name, label, type, autocomplete]) =>
    [name, el("input", { name, type, required: true, autocomplete, id: `field-${name}` })]));
  const submit = el("button", { type: "submit" }, submitLabel);
  const form = el("form", { class: "panel", novalidate: true },
    ...fields.map(([name, label]) => el("label", { for: `field-${name}` }, label, inputs[name])), submit, error);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(submit, error, () => onSubmit(Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.value]))));
  });
  show(title, notice ? el("p", { class: "notice", role: "status", id: "auth-notice" }, notice) : "", form);
  inputs[fields[0][0]].focus();
}

// the sign-in limit's answer (429) says how long to wait: say it in minutes
function waitText(seconds) {
  const minutes = Math.ceil(seconds / 60);
  return seconds < 60 ? `${seconds} seconds` : `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

async function signIn(email, password) {
  const tokens = await api("POST", "/auth/token", { email, password }).catch((error) => {
    if (error.status === 429) throw new ApiError(429, `Too many sign-in attempts. Try again in ${waitText(error.retryAfter || 60)}.`);
    throw worded(error, { 400: "Enter your email address and password.", 401: "The email address or password is wrong." });
  });
  session.saveTokens(tokens);
  session.saveRoles([]);
  const me = await api("GET", "/users/me");
  session.saveRoles(me.roles);
  refreshChrome();
  location.hash = sessionStorage.getItem("shop.afterSignIn") || "#/";
  sessionStorage.removeItem("shop.afterSignIn");
}

export function signInPage() {
  const why = sessionStorage.getItem("shop.signInWhy") || "";
  sessionStorage.removeItem("shop.signInWhy");
  authForm("Sign in", [["email", "Email", "email", "username"], ["password", "Password", "password", "current-password"]],
    "Sign in", (v) => signIn(v.email, v.password), why);
}

const PASSWORD_RULE = "Choose a password of at least 8 characters, with upper- and lower-case letters and a digit.";
function checkedSignUp(v) {
  if (!v.name.trim()) throw new ApiError(400, "Enter your name.");
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v.email)) throw new ApiError(400, "Enter a valid email address, such as ada@example.com.");
  if (v.password.length < 8 || !/[a-z]/.test(v.password) || !/[A-Z]/.test(v.password) || !/[0-9]/.test(v.password)) {
    throw new ApiError(400, PASSWORD_RULE);
  }
}

export function signUpPage() {
  authForm("Create an account", [["name", "Name", "text", "name"], ["email", "Email", "email", "username"],
    ["password", "Password (8+ characters, upper and lower case, a digit)", "password", "new-password"]],
  "Sign up", async (v) => {
    checkedSignUp(v);
    await api("POST", "/users", { name: v.name, email: v.email, password: v.password }).catch((error) => {
      const field = /`(\w+)`/.exec(error.detail || "");
      throw worded(error, { 409: "An account with this email address exists already: sign in instead.",
        400: { password: PASSWORD_RULE, email: "Enter a valid email address, such as ada@example.com." }[field && field[1]] || error.message });
    });
    await signIn(v.email, v.password);
  });
}
