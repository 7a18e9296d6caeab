"""The layering of the code, enforced: ``vae/`` (the teaching maths) knows nothing of Streamlit or
``ui/``; ``ui/`` never imports a page; no caller dispatches on a model's class (every model has
the same ``encode`` / ``decode`` interface, see ``vae.models.Autoencoder``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UI = sorted(ROOT.glob("ui/**/*.py"))  # ui/ and its sub-packages (ui/classmode/)
CODE = sorted(
    [
        *ROOT.glob("vae/*.py"),
        *UI,
        *ROOT.glob("pages/*.py"),
        ROOT / "streamlit_app.py",
        *ROOT.glob("benchmarks/*.py"),
        *ROOT.glob("scripts/*.py"),
    ]
)
TESTS = sorted(ROOT.glob("tests/*.py"))
MODEL_CLASSES = {"AE", "VAE", "CVAE", "Autoencoder"}


def _imports(path: Path) -> set[str]:
    """Top-level package names a module imports (anywhere in the file, lazy imports included)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


@pytest.mark.parametrize("path", sorted(ROOT.glob("vae/*.py")), ids=lambda p: p.name)
def test_vae_imports_neither_streamlit_nor_ui(path):
    bad = {m for m in _imports(path) if m.split(".")[0] in ("streamlit", "ui", "altair", "pages")}
    assert not bad, f"vae/{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", UI, ids=lambda p: str(p.relative_to(ROOT)))
def test_ui_never_imports_a_page(path):
    bad = {m for m in _imports(path) if m.split(".")[0] in ("pages", "streamlit_app")}
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_the_class_store_knows_nothing_of_streamlit():
    """Storage is plain SQLAlchemy: a benchmark or a test drives it without a page."""
    bad = {
        m
        for m in _imports(ROOT / "ui/classmode/store.py")
        if m.split(".")[0] in ("streamlit", "ui")
    }
    assert not bad, bad


def _class_dispatch(path: Path) -> list[int]:
    """Lines with isinstance(..., AE / VAE / CVAE ...) or type(model) is ... checks."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "isinstance"
            and len(node.args) == 2
        ):
            target = node.args[1]
            names = {
                getattr(e, "id", getattr(e, "attr", None))
                for e in (target.elts if isinstance(target, ast.Tuple) else [target])
            }
            if names & MODEL_CLASSES:
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("path", CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_caller_dispatches_on_the_model_class(path):
    assert not _class_dispatch(path), f"{path.relative_to(ROOT)} lines {_class_dispatch(path)}"


PRIVATE = (
    "streamlit.elements",
    "streamlit.runtime",
    "streamlit.proto",
    "streamlit.web.server",
    "get_config_options",
    "__defaults__",
    "_convert_altair",
    "schemapi",
    "st._",
    "matplotlib._",
)
# the compat module, its contract test, and this guard (which names what it bans)
PRIVATE_ALLOWED = {
    ROOT / "ui/compat.py",
    ROOT / "tests/test_compat.py",
    ROOT / "tests/test_layering.py",
}


@pytest.mark.parametrize(
    "path",
    [p for p in sorted({*CODE, *TESTS}) if p not in PRIVATE_ALLOWED],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_private_names_only_in_the_compat_module(path):
    """The app, its tests and its benchmarks reach private Streamlit / Altair / Matplotlib names
    only through ui/compat.py, where each has a test (tests/test_compat.py)."""
    src = path.read_text(encoding="utf-8")
    found = [name for name in PRIVATE if name in src]
    assert not found, f"{path.relative_to(ROOT)} uses {found}: go through ui/compat.py"


@pytest.mark.parametrize("path", TESTS, ids=lambda p: p.name)
def test_pageutil_is_imported_one_way(path):
    """The shared page-test helpers are one module, imported as ``from tests.pageutil import ...``
    (a bare ``pageutil`` import would load a second copy of it)."""
    bad = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            bad += [a.name for a in node.names if a.name.split(".")[-1] == "pageutil"]
        elif isinstance(node, ast.ImportFrom) and node.module != "tests.pageutil":
            module = "." * node.level + (node.module or "")
            if module.split(".")[-1] == "pageutil" or any(a.name == "pageutil" for a in node.names):
                bad.append(module)
    assert not bad, f"{path.name}: {bad}; use `from tests.pageutil import ...`"


def test_pytest_ini_has_no_blanket_warning_filter():
    ini = (ROOT / "pytest.ini").read_text(encoding="utf-8")
    assert "ignore::DeprecationWarning" not in ini and "ignore::Warning" not in ini


@pytest.mark.parametrize("path", CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_figures_are_built_without_pyplot(path):
    """Matplotlib's guidance for servers: ``matplotlib.figure.Figure``, no pyplot (global state)."""
    assert "pyplot" not in path.read_text(encoding="utf-8"), path.relative_to(ROOT)


# issue 12: a page holds its prose, widgets and layout; builders and statistics live elsewhere
PAGE_LINES = 250


@pytest.mark.parametrize(
    "path", sorted([*ROOT.glob("pages/*.py"), ROOT / "streamlit_app.py"]), ids=lambda p: p.name
)
def test_pages_are_thin(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= PAGE_LINES, (
        f"{path.name} has {lines} lines: move its chart builders to ui/, its statistics to vae/"
    )


def _architecture() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize(
    "path", sorted([*ROOT.glob("vae/*.py"), *UI]), ids=lambda p: str(p.relative_to(ROOT))
)
def test_the_readme_architecture_names_every_module(path):
    if path.name == "__init__.py" and path.parent.name == "vae":
        pytest.skip("vae/__init__ is the package itself")
    section = _architecture()
    name = path.name if path.parent.name == "vae" else str(path.relative_to(ROOT))
    assert name in section, (
        f"README's Architecture section does not describe {path.parent.name}/{path.name}"
    )


def test_vae_all_lists_every_submodule():
    import vae

    assert sorted(vae.__all__) == sorted(
        p.stem for p in ROOT.glob("vae/*.py") if p.stem != "__init__"
    )
