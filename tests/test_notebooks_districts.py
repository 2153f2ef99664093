"""The notebooks take a dataset: each runs top to bottom on the second district too.

nbval runs every notebook on the embedded Ouhai data (``make test``: ``pytest notebooks``); this
runs each one again, with nbclient, with ``RISKPLAN_DATA`` naming the second district
(tests/districts/yunling), so no notebook can depend on Ouhai's codes, figures or hidden truth.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("0*.ipynb"))
OUHAI_CODES = re.compile(r"\b(?:[CDP]-[A-Z]{3,}|C\d\d|330304\d{3})\b")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_starts_with_a_parameters_cell(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = nb["cells"][0]
    assert first["cell_type"] == "code" and first["metadata"].get("tags") == ["parameters"]
    text = "".join(first["source"])
    for name in ("data_dir", "month", "seed"):
        assert re.search(rf"^{name} = ", text, flags=re.M), name
    assert sum("parameters" in c["metadata"].get("tags", []) for c in nb["cells"]) == 1
    code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "rp.load_dataset(data_dir)" in code and "import riskplan as rp" in code
    assert not OUHAI_CODES.findall(code), OUHAI_CODES.findall(code)  # no Ouhai code in the code


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_on_the_second_district(path: Path, yunling_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("RISKPLAN_DATA", str(yunling_dir))
    monkeypatch.setenv("TQDM_DISABLE", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    text = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if o.get("output_type") == "stream"]
    assert any("Yunling" in t or "云岭" in t for t in text) or path.stem != "01_data"
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
