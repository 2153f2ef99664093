"""The riskplan command line: subcommands, version, validate, clean errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from broken_inputs.minidata import rows_of, write_mini, write_table

from riskplan import __version__
from riskplan.cli import COMMANDS, build_parser, main


def test_console_script_help_lists_subcommands() -> None:
    exe = Path(sys.executable).with_name("riskplan")
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True)
    for name in COMMANDS:
        assert name in out.stdout
    assert out.stderr == ""


@pytest.mark.parametrize(("argv", "loaded"), [
    (["--help"], set()),
    (["config", "--help"], {"riskplan.commands.config"}),
])
def test_a_command_imports_only_its_own_module(argv: list[str], loaded: set[str]) -> None:
    """``riskplan --help`` imports no command (nor pandas); ``riskplan config`` no other command."""
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(sorted(m for m in sys.modules\n"
        "    if m.startswith('riskplan.commands.') or m == 'pandas')))\n"
        "from riskplan.cli import main\n"
        f"sys.exit(main({argv!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "usage: riskplan" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == repr(sorted(loaded | ({"pandas"} if loaded else set())))


def test_an_unknown_command_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["nope"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'nope'" in err and all(f"'{name}'" in err for name in COMMANDS)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"riskplan {__version__}"


def test_every_command_module_has_the_interface() -> None:
    import importlib

    assert "validate" in COMMANDS
    for name in COMMANDS:
        module = importlib.import_module(f"riskplan.commands.{name}")
        assert callable(module.add_parser) and callable(module.run)
    assert build_parser().prog == "riskplan"


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "validate" in capsys.readouterr().out


def test_validate_valid_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_mini(tmp_path / "m")
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "population / 常住人口" in out and "100,000" in out
    assert "OK / 校验通过: 0 errors" in out
    assert "warning  establishments.csv:5" in out  # the row without coordinates


def test_validate_broken_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_mini(tmp_path / "m")
    rows = rows_of("establishments")
    rows[2]["risk_grade"] = "E"
    write_table(folder, "establishments", rows)
    (folder / "labs.csv").unlink()
    out_csv = tmp_path / "problems.csv"
    assert main(["validate", str(folder), "--out", str(out_csv)]) == 1
    captured = capsys.readouterr()
    assert "error    establishments.csv:3  risk_grade [E]  must be one of A, B, C, D" in (
        captured.out)
    assert "取值必须是" in captured.out
    assert "missing file labs.csv" in captured.out
    assert "INVALID" in captured.out and "Traceback" not in captured.err
    assert out_csv.read_bytes().startswith(b"\xef\xbb\xbf")
    problems = pd.read_csv(out_csv, dtype=str, encoding="utf-8-sig")
    assert list(problems.columns) == ["file", "row", "column", "value", "message_en",
                                      "message_zh", "level"]
    assert ("establishments.csv", "3", "risk_grade") in set(
        zip(problems["file"], problems["row"], problems["column"]))


def test_validate_lists_columns_not_used_apart(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_mini(tmp_path / "m")
    rows = rows_of("history")
    for r, source in zip(rows, ["省局下达", "区局自定", "", "省局下达"]):
        r["任务来源"] = source
    write_table(folder, "history", rows)
    out_csv = tmp_path / "problems.csv"
    assert main(["validate", str(folder), "--out", str(out_csv)]) == 0  # infos do not fail
    out = capsys.readouterr().out
    listed = out.split("Columns not used", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    assert listed == ["  history.csv  任务来源  (3 filled / 非空)"]  # one line, not one per row
    assert "info " not in out.split("Columns not used", 1)[0]  # not among errors and warnings
    assert "OK / 校验通过: 0 errors / 错误, 1 warning(s) / 警告, 1 column(s) not used" in out
    problems = pd.read_csv(out_csv, dtype=str, encoding="utf-8-sig")
    assert problems["level"].tolist().count("info") == 1
    assert main(["validate", str(folder), "--no-warnings"]) == 0
    assert "Columns not used" not in capsys.readouterr().out


def test_missing_folder_is_a_clean_error(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "dataset folder not found" in err and "Traceback" not in err


def test_riskplan_error_is_exit_2_without_traceback(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from riskplan.commands import validate
    from riskplan.errors import ConfigError

    def boom(args: object) -> int:
        raise ConfigError("risk.half_life_years", "must be > 0")

    monkeypatch.setattr(validate, "run", boom)
    assert main(["validate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("riskplan validate: configuration key 'risk.half_life_years'")


def test_validate_embedded_dataset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--no-warnings"]) == 0
    out = capsys.readouterr().out
    assert "963,238" in out and "townships / 乡镇街道" in out


def test_an_unwritable_output_path_is_a_clean_error(tmp_path, capsys) -> None:
    from riskplan.cli import main

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["config", "--check", str(tmp_path)]) == 2  # a folder where a file is expected
    assert "Is a directory" in capsys.readouterr().err
    assert main(["validate", "--out", str(blocker / "problems.csv")]) == 2  # parent is a file
    err = capsys.readouterr().err
    assert "a-file" in err and "Traceback" not in err


def test_validate_problem_file_is_guarded_against_formula_injection(tmp_path, capsys) -> None:
    import shutil

    from riskplan.cli import main
    from riskplan.datasets import embedded_data_dir

    data = tmp_path / "d"
    shutil.copytree(embedded_data_dir("ouhai"), data)
    est = (data / "establishments.csv").read_text(encoding="utf-8").splitlines()
    head = est[0].split(",")
    row = est[1].split(",")
    row[head.index("risk_grade")] = "=1+2"
    (data / "establishments.csv").write_text("\n".join([est[0], ",".join(row), *est[2:]]) + "\n",
                                             encoding="utf-8")
    out = tmp_path / "problems.csv"
    assert main(["validate", str(data), "--out", str(out)]) == 1
    text = out.read_text(encoding="utf-8-sig")
    assert "'=1+2" in text and ",=1+2" not in text
