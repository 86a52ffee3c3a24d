"""Which Chromium the browser tests drive: Playwright's own when installed (GitHub's runners), else the system's."""

from types import SimpleNamespace

from tests.browser.chromium import executable


def _playwright(path):
    return SimpleNamespace(chromium=SimpleNamespace(executable_path=str(path)))


def _program(folder, name):
    folder.mkdir(exist_ok=True)
    program = folder / name
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    return program


def test_playwrights_own_chromium_comes_first(tmp_path, monkeypatch):
    own = _program(tmp_path / "ms-playwright", "chrome")
    monkeypatch.setenv("PATH", str(_program(tmp_path / "bin", "chromium").parent))
    assert executable(_playwright(own)) == str(own)


def test_debians_chromium_serves_when_playwright_has_none(tmp_path, monkeypatch):
    system = _program(tmp_path / "bin", "chromium")
    monkeypatch.setenv("PATH", str(system.parent))
    assert executable(_playwright(tmp_path / "not-installed" / "chrome")) == str(system)


def test_no_chromium_at_all_is_said(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert executable(_playwright(tmp_path / "not-installed" / "chrome")) is None
