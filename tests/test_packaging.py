"""Packaging: environment.yml and pyproject.toml agree; the wheel carries and finds the data."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# conda-forge package name -> pip distribution name, where they differ
CONDA_TO_PIP = {"ortools-python": "ortools", "python-build": "build"}
NOT_DEPENDENCIES = {"python", "pip"}  # conda-only entries with no pip counterpart


def _split(req: str) -> tuple[str, str]:
    """('name', 'specifier') with the name normalised (PEP 503) and the specifier without spaces."""
    m = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$", req)
    assert m, req
    name = re.sub(r"[-_.]+", "-", m.group(1)).lower()
    return name, m.group(3).replace(" ", "")


def _environment_yml(text: str | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """(conda dependencies, pip-section dependencies) of environment.yml, as name -> specifier.

    A small reader for the simple layout of that file (no YAML library needed)."""
    if text is None:
        text = (REPO / "environment.yml").read_text(encoding="utf-8")
    conda: dict[str, str] = {}
    pip: dict[str, str] = {}
    section = None
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if re.match(r"^\S", line):
            section = line.split(":", 1)[0]
            continue
        if section != "dependencies":
            continue
        item = line.strip()
        if not item.startswith("- "):
            continue
        item = item[2:].strip()
        indent = len(line) - len(line.lstrip())
        if item == "pip:":
            continue
        if indent > 4:  # inside the pip: list
            if item.startswith("-e") or item in (".",):
                continue
            name, spec = _split(item)
            pip[name] = spec
        else:
            name, spec = _split(item)
            if name not in NOT_DEPENDENCIES:
                conda[CONDA_TO_PIP.get(name, name)] = spec
    return conda, pip


def _pyproject(text: str | None = None) -> dict[str, str]:
    """Runtime and ``dev`` dependencies of pyproject.toml, as name -> specifier."""
    if text is None:
        text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    project = tomllib.loads(text)["project"]
    reqs = list(project["dependencies"]) + list(project["optional-dependencies"]["dev"])
    return dict(_split(r) for r in reqs)


def _drift(env_text: str | None = None, py_text: str | None = None) -> list[str]:
    """Every difference between environment.yml and pyproject.toml (empty: in step)."""
    conda, pip = _environment_yml(env_text)
    py = _pyproject(py_text)
    env = {**conda, **pip}
    out = [f"{k}: listed both as conda and pip package" for k in sorted(set(conda) & set(pip))]
    out += [f"{k}: in pyproject.toml only" for k in sorted(set(py) - set(env))]
    out += [f"{k}: in environment.yml only" for k in sorted(set(env) - set(py))]
    out += [f"{k}: {py[k]!r} in pyproject.toml, {env[k]!r} in environment.yml"
            for k in sorted(set(py) & set(env)) if py[k] != env[k]]
    return out


def test_environment_yml_matches_pyproject() -> None:
    assert _drift() == []


def test_drift_is_detected_either_way() -> None:
    env = (REPO / "environment.yml").read_text(encoding="utf-8")
    py = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert _drift(env.replace("  - tqdm>=4.66\n", ""), py) == ["tqdm: in pyproject.toml only"]
    assert _drift(env.replace("  - pip:\n", "  - pip:\n      - rich>=13\n"), py) == [
        "rich: in environment.yml only"]
    assert _drift(env.replace("ortools-python>=9.10", "ortools-python>=9.12"), py) == [
        "ortools: '>=9.10' in pyproject.toml, '>=9.12' in environment.yml"]


def test_environment_yml_reader_sees_the_pip_section() -> None:
    conda, pip = _environment_yml()
    assert "ortools" in conda and "build" in conda  # mapped from ortools-python, python-build
    assert "prcoords" in pip


def test_editable_install_finds_the_source_tree_data() -> None:
    from riskplan.datasets import embedded_data_dir

    assert embedded_data_dir() == REPO / "data" / "ouhai"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(out), str(REPO)], check=True, capture_output=True)
    (whl,) = out.glob("riskplan-*.whl")
    return whl


def test_wheel_contains_the_embedded_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    source = {p.name for p in (REPO / "data" / "ouhai").iterdir() if p.is_file()}
    packaged = {n.split("/")[-1] for n in names if n.startswith("riskplan/_data/ouhai/")}
    assert source and source <= packaged
    assert {"dataset.toml", "townships.geojson", "district.geojson", "establishments.csv"} <= (
        packaged)
    assert "riskplan/py.typed" in names
    assert {"riskplan/export/map_viewer/viewer.js", "riskplan/export/map_viewer/viewer.css"} <= names


def test_dataset_loads_from_the_unpacked_wheel(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import riskplan, riskplan.datasets as d\n"
        "from pathlib import Path\n"
        "root = Path(sys.argv[1]).resolve()\n"
        "assert Path(riskplan.__file__).resolve().is_relative_to(root), riskplan.__file__\n"
        "folder = d.embedded_data_dir()\n"
        "assert folder.resolve() == root / 'riskplan' / '_data' / 'ouhai', folder\n"
        "ds = d.load_ouhai()\n"
        "assert ds.source.resolve() == folder.resolve()\n"
        "print(len(ds.townships), ds.residents, folder)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True, text=True,
                         cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    n, pop, folder = out.stdout.split()
    assert (int(n), int(pop)) == (13, 963_238)
    assert "_data" in folder and not Path(folder).is_relative_to(REPO)
