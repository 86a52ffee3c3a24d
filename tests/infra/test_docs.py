"""The README and docs/ stay true to the repository: every file they link to is in it, none points outside it
(a clone has nothing beside itself), and the README's teardown reaches every protected table and every secret of
infra/template.yaml."""

import pathlib
import re

import pytest

from devstack import template

ROOT = pathlib.Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]
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


def _teardown_loop(variable):
    section = README.read_text().split("## Tearing a stage down", 1)[1].split("\n## ", 1)[0]
    loop = re.search(rf"^for {variable} in ([^;\n]+); do$", section, re.MULTILINE)
    assert loop, f"the README's teardown has no `for {variable} in ...` loop"
    return set(loop.group(1).split())


def _names_in_stage(kind, name_property, **properties):
    """What follows `shop-${Stage}-` in the name of each resource of that kind and those properties."""
    return {
        r["Properties"][name_property]["Fn::Sub"].removeprefix("shop-${Stage}-")
        for r in template.resources_of_type(template.load(), kind).values()
        if all(r["Properties"].get(k) == v for k, v in properties.items())
    }


def test_the_teardown_lifts_deletion_protection_from_every_table_that_has_it():
    protected = _names_in_stage("AWS::DynamoDB::Table", "TableName", DeletionProtectionEnabled=True)
    assert protected
    assert not protected - _teardown_loop("table"), "tables the README's teardown leaves protected"


def test_the_teardown_names_every_secret_the_template_makes():
    secrets = _names_in_stage("AWS::SecretsManager::Secret", "Name")
    assert secrets
    assert not secrets - _teardown_loop("secret"), "secrets the README's teardown leaves out"
