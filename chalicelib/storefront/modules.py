"""The storefront's ES modules under content-hashed names, with their imports rewritten to those names.

A module is served as `<stem>.<hash12>.js`, the name its importer (or the page) gives it, so its name must change
whenever anything it imports changes, however deep: then a page never runs modules of two releases together. Each
module's imports are rewritten to the hashed names of what it imports, bottom-up over the import graph, and its own
hash is taken of that rewritten text. A change to `format.js` thus renames `format.js`, every module that imports
it, theirs in turn, up to the entry module the page names; the modules it does not reach keep their names.

No build step, so no parser either: imports are written one to a line, at the start of it, of a module beside
this one by its relative name (`import { api } from "./api.js";`, `import "./dom.js";`, `export { x } from
"./x.js";`). Anything else the server could not rewrite is refused when the modules are loaded (a bare or
absolute specifier, an unknown module, an import spread over lines, a dynamic `import()`), and so is an import
cycle: a mistake fails the first request and the tests, never a shopper's browser with a stale import.
"""

import re
from typing import Callable, Dict, List, Tuple

# a line that begins an import or a re-export (`export … from`), which must then be one we rewrite
_IMPORTING = re.compile(r"^(?:import\b|export\b[^=(]*\bfrom\b)")
_IMPORT = re.compile(
    r'^((?:import|export)(?: [\w${}, *]+ from)? ")\./([\w-]+\.js)(";)$', re.MULTILINE
)
_DYNAMIC = re.compile(r"\bimport\s*\(")
_SERVED = re.compile(r'^(?:import|export)(?: [\w${}, *]+ from)? "\./([\w.-]+\.js)";$', re.MULTILINE)


class ModuleError(ValueError):
    """The storefront's modules cannot be served under hashed names as written."""


def imports(name: str, text: str) -> List[str]:
    """The modules `name` imports (file names beside it), in its order; refused unless each can be rewritten."""
    if any(
        _DYNAMIC.search(line) for line in text.splitlines() if not line.lstrip().startswith("//")
    ):
        raise ModuleError(
            f"{name}: a dynamic import() cannot be given the hashed name of what it imports"
        )
    found = []
    for line in text.splitlines():
        if not _IMPORTING.match(line):
            continue
        match = _IMPORT.fullmatch(line)
        if not match:
            raise ModuleError(
                f'{name}: {line!r} cannot be rewritten: one import a line, of "./<module>.js"'
            )
        found.append(match.group(2))
    return found


def hashed(
    sources: Dict[str, str], name_of: Callable[[str, str], str]
) -> Dict[str, Tuple[str, str]]:
    """file name -> (its hashed name, its text as served), for every module in `sources` (file name -> text).

    `name_of(file name, text)` names a module by the text it is served with, once its imports are rewritten.
    """
    done: Dict[str, Tuple[str, str]] = {}

    def visit(name: str, importers: List[str]) -> None:
        if name in importers:
            raise ModuleError(
                "import cycle: " + " -> ".join(importers[importers.index(name) :] + [name])
            )
        if name not in sources:
            raise ModuleError(
                f"{importers[-1]} imports {name}, which is not one of the storefront's modules"
            )
        for imported in imports(name, sources[name]):
            if imported not in done:
                visit(imported, importers + [name])
        text = _IMPORT.sub(
            lambda m: f"{m.group(1)}./{done[m.group(2)][0]}{m.group(3)}", sources[name]
        )
        done[name] = (name_of(name, text), text)

    for name in sorted(sources):
        if name not in done:
            visit(name, [])
    return done


def served_imports(text: str) -> List[str]:
    """The (hashed) names a served module imports."""
    return _SERVED.findall(text)
