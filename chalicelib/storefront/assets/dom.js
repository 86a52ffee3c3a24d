// DOM helpers: text only, never HTML.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function errorLine(id) { return el("p", { class: "error", role: "alert", id, "aria-live": "assertive" }); }

export function show(title, ...content) {
  const target = document.getElementById("main");
  target.replaceChildren(el("h1", { text: title }), ...content);
  document.title = `${title} · shop`;
  target.focus();
}

export async function guarded(button, errorNode, action) {
  errorNode.textContent = "";
  button.disabled = true;
  try { await action(); } catch (error) { errorNode.textContent = error.message; } finally { button.disabled = false; }
}
