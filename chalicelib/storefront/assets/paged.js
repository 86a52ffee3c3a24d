// A list the API pages: the first page, then a "More" button while the API gives a next_cursor. Every list of
// the storefront that can grow (orders, inbox, the admin's orders and catalog) uses it, so none ends silently.
// Each item is shown once, by id, however it arrives: a page, a save, a move from another list. `place` shows
// an item this page changed: in place, or where `before(a, b)` (the API's order) puts it among what is loaded
// (waiting for a page in flight), or nowhere yet when it sorts past the loaded part ("More" brings it).
import { api } from "./api.js";
import { el, guarded } from "./dom.js";

export function pagedList(path, list, render, { moreId, moreLabel = "More", error, empty, before }) {
  const more = el("button", { type: "button", class: "secondary", id: moreId, hidden: true }, moreLabel);
  const nodes = new Map(); // id -> node
  const items = new WeakMap(); // node -> item
  let cursor = null, loaded = false, loading = null, emptyNote = null;
  const node = (item) => { const made = render(item); items.set(made, item); nodes.set(item.id, made); return made; };
  const load = () => loading || (loading = (async () => {
    try {
      const page = await api("GET", path + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""), undefined,
        { "Cache-Control": "no-cache" });
      list.append(...page.items.filter((item) => !nodes.has(item.id)).map(node)); // shown already: as fresh or fresher
      if (!loaded && !page.items.length && empty && !nodes.size) list.append(emptyNote = el("p", { class: "muted", text: empty }));
      cursor = page.next_cursor; loaded = true; more.hidden = !cursor;
    } finally { loading = null; }
  })());
  const place = async (item) => {
    while (loading) await loading.catch(() => {});
    const shown = nodes.get(item.id);
    if (shown) { shown.replaceWith(node(item)); return; }
    if (!loaded) return;
    const next = [...list.children].find((child) => items.has(child) && before(item, items.get(child)));
    if (next || !cursor) { emptyNote?.remove(); emptyNote = null; list.insertBefore(node(item), next || null); }
  };
  const remove = (id) => { nodes.get(id)?.remove(); nodes.delete(id); };
  more.addEventListener("click", () => guarded(more, error, load));
  return { more, load, place, remove, has: (id) => nodes.has(id) };
}

export const newestFirst = (a, b) => a.created_at > b.created_at || (a.created_at === b.created_at && a.id > b.id);
