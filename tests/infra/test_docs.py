"""The README and docs/ stay true to the repository: every file they link to is in it, and none points outside it
(a clone has nothing beside itself)."""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(#[^)\s]*)?\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_link_to_a_file_resolves_inside_the_repository(doc):
    targets = [
        m.group(1)
        for m in LINK.finditer(doc.read_text())
        if not m.group(1).startswith(("http", "mailto:"))
    ]
    for target in targets:
        resolved = (doc.parent / target).resolve()
        assert resolved.is_relative_to(ROOT) and resolved.exists(), f"{doc.name} links to {target}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_no_doc_refers_to_files_outside_the_repository(doc):
    assert not re.search(r"\.\./(shared|NOTES)|/work/", doc.read_text())


def test_every_anchor_the_docs_link_to_is_a_heading():
    def anchors(doc):
        return {
            re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
            for h in re.findall(r"^#+ (.+)$", doc.read_text(), re.MULTILINE)
        }

    for doc in DOCS:
        for m in LINK.finditer(doc.read_text()):
            if m.group(2) and not m.group(1).startswith("http"):
                assert m.group(2)[1:] in anchors((doc.parent / m.group(1)).resolve()), (
                    f"{doc.name}: {m.group(0)}"
                )
