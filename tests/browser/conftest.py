import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def _axe_static_dir(tmp_path_factory):
    """A directory holding only axe-core's axe.min.js (from node_modules, installed by npm)."""
    import shutil
    from pathlib import Path

    source = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
    target = tmp_path_factory.mktemp("axe")
    if source.exists():
        shutil.copy(source, target / "axe.min.js")
    return target


@pytest.fixture(autouse=True)
def _serve_axe(settings, _axe_static_dir):
    """Browser tests only: the test server serves axe-core at /static/test-only/axe/, so that
    pages load it with a <script src> under their own CSP (helpers.AXE_STATIC)."""
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, ("test-only/axe", _axe_static_dir)]
