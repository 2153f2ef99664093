"""The notebooks are stored without outputs or execution counts (nbval runs them; git keeps code)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def stored_outputs(path: Path) -> list[str]:
    """One line per code cell of the notebook at ``path`` stored with outputs or an execution count."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            found.append(f"{path.name} cell {i}: {len(cell['outputs'])} output(s)")
        if cell.get("execution_count") is not None:
            found.append(f"{path.name} cell {i}: execution count {cell['execution_count']}")
    return found


def test_there_are_notebooks() -> None:
    assert len(list(NOTEBOOKS.glob("*.ipynb"))) >= 5


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_is_stored_clean(path: Path) -> None:
    assert stored_outputs(path) == [], (
        "strip it: .venv/bin/nbstripout --keep-id " + str(path.relative_to(NOTEBOOKS.parent)))


def test_a_notebook_with_outputs_is_caught(tmp_path: Path) -> None:
    nb = json.loads((NOTEBOOKS / "01_data.ipynb").read_text(encoding="utf-8"))
    code = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]
    nb["cells"][code[0]]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["13\n"]}]
    nb["cells"][code[1]]["execution_count"] = 7
    dirty = tmp_path / "dirty.ipynb"
    dirty.write_text(json.dumps(nb), encoding="utf-8")
    assert stored_outputs(dirty) == [
        f"dirty.ipynb cell {code[0]}: 1 output(s)",
        f"dirty.ipynb cell {code[1]}: execution count 7",
    ]
