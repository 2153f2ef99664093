"""A configuration checked against the data, every problem at once; a first configuration from the data."""

from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

import riskplan as rp
from riskplan.cli import main
from riskplan.config import Config, load_config
from riskplan.configure import check_config, init_config, prepare
from riskplan.errors import ConfigCheckError

FIVE_WRONG = """
[allocation]
school_business_types = ["C-SCHOOL"]
townshipmin = 3

[schedule.season_categories]
bayberry = "C36"
[schedule.season_months]
bayberry = [6]

[selection.rotation_by_business_type]
D-WETMARKET = 1

[routing]
early_start_types = ["D-WHOLESALE", "wet market"]
"""
"""Ouhai's codes in a Yunling configuration, plus a misspelt key: five wrong keys."""

WRONG_KEYS = {"allocation.school_business_types[0]", "allocation.townshipmin",
              "schedule.season_categories.bayberry", "selection.rotation_by_business_type.D-WETMARKET",
              "routing.early_start_types[0]"}


def test_five_wrong_keys_are_reported_in_one_run(tmp_path: Path, yunling_dir: Path, capsys) -> None:
    cfg = tmp_path / "five.toml"
    cfg.write_text(FIVE_WRONG, encoding="utf-8")
    assert main(["config", "--check", str(cfg), "--data", str(yunling_dir)]) == 1
    out = capsys.readouterr().out
    rows = [ln for ln in out.splitlines() if ln.startswith("error")]
    assert {ln.split()[1] for ln in rows} == WRONG_KEYS
    assert "5 error(s)" in out and "against Yunling" in out
    # what the dataset has and the closest match
    line = next(ln for ln in rows if "school_business_types" in ln)
    assert "SC-SCHOOL" in line.split("C-SCHOOL", 1)[1]
    assert re.search(r"townshipmin .*allocation\.township_min\b", next(ln for ln in rows if "townshipmin" in ln))
    # the plan stops before writing anything, with the five problems in one message
    out_dir = tmp_path / "plan"
    assert main(["plan", "--data", str(yunling_dir), "--config", str(cfg), "--out", str(out_dir)]) == 2
    err = capsys.readouterr().err
    assert "5 problem(s)" in err and all(f"'{k}'" in err for k in WRONG_KEYS)
    assert not out_dir.exists()


def test_a_rule_matching_nothing_is_a_warning_naming_it(yunling) -> None:
    report = check_config(Config(), yunling)
    assert report.ok
    warn = report.problems[report.problems["level"] == "warning"]
    assert "routing.windows.restaurant" in set(warn["key"])
    assert "allocation.key_categories" in set(warn["key"])
    row = warn.set_index("key").loc["routing.windows.restaurant"]
    assert "matches nothing" in row["problem"] and "restaurant" in row["problem"]
    assert "roles declared" in row["dataset_has"]


def test_the_defaults_fit_ouhai_without_a_warning(ouhai) -> None:
    report = check_config(Config(), ouhai)
    assert report.ok and report.problems.empty, report.summary()


def test_without_data_the_check_says_what_it_did_not_check(tmp_path: Path, capsys) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[routing]\nschool_day_types = ["CAT-SCHOOL", "school canteens"]\n', encoding="utf-8")
    assert main(["config", "--check", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "NOT checked against a dataset" in out and "give --data DIR" in out
    assert "CAT-SCHOOL" not in out  # a code cannot be checked without data: no false alarm
    assert "'school canteens' is not a documented role" in out  # a role can be


def test_plan_warns_once_that_role_rules_match_nothing(yunling) -> None:
    bare = dataclasses.replace(yunling, business_types=yunling.business_types.drop(columns=["roles", "vulnerable"]))
    ready = prepare(bare)
    assert len(ready.warnings) == 1
    assert "declares no roles" in ready.warnings[0] and "riskplan init" in ready.warnings[0]


def test_init_makes_a_configuration_that_fits_yunling(yunling) -> None:
    result = init_config(yunling)
    assert check_config(result.config, yunling).problems.query("level != 'info'").empty
    guessed = {(g.code, g.role) for g in result.guesses}
    assert ("SC-REST", "restaurant") in guessed and ("F02", "key product") in guessed
    assert result.config.roles.business_types["SC-REST"] == ("restaurant",)
    # the national festival foods by category, with the categories' names as comments
    assert result.config.schedule.season_categories["spring_festival"] == "F08"
    assert re.search(r"^spring_festival = \"F08\"  # spring festival food: 腊肉及肉制品", result.text, re.M)
    # school terms of the plan year, to be checked
    assert result.config.calendar.school_terms[1] == ("2026-02-23", "2026-07-03")
    assert "# CHECK: approximate school terms" in result.text
    assert "routing.windows.work canteen" in " ".join(result.left_out)  # no such business type here
    assert "530999203000 松林彝族乡" in result.text  # the townships, for exclude / fixed


def test_init_on_ouhai_gives_the_default_rules(ouhai) -> None:
    """Ouhai declares its roles: the configuration init makes resolves to what the defaults do."""
    result = init_config(ouhai)
    assert not result.guesses and not result.left_out
    ref = Config().resolve(ouhai)
    # init turns school days on; the default keeps them off so the default plan stays as it was
    ref = dataclasses.replace(ref, schedule=dataclasses.replace(ref.schedule, school_days_only=True))
    assert result.config.resolve(ouhai) == ref


def test_init_from_names_alone_gives_ouhai_its_rules(ouhai) -> None:
    """Without any roles column, the guesses from the names lead to Ouhai's rules all the same."""
    bare = dataclasses.replace(ouhai, business_types=ouhai.business_types.drop(columns="roles"),
                               categories=ouhai.categories.drop(columns=["roles", "local_seasons"]))
    mine = init_config(bare).config.resolve(bare)
    ref = Config().resolve(ouhai)
    for section in ("risk", "allocation", "selection", "routing"):
        assert getattr(mine, section) == getattr(ref, section), section
    local = {"bayberry", "ouhai_mandarin"}  # local seasons need the categories' local_seasons column
    assert mine.schedule.season_categories == {k: v for k, v in ref.schedule.season_categories.items()
                                               if k not in local}


def test_init_command_writes_a_documented_file(tmp_path: Path, yunling_dir: Path, capsys) -> None:
    out = tmp_path / "yunling.toml"
    assert main(["init", "--data", str(yunling_dir), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "role(s) guessed" in printed and "SC-REST" in printed
    text = out.read_text(encoding="utf-8")
    load_config(out)  # valid
    # every key is documented as `riskplan config --show` documents it
    shown = Config().to_toml()
    for line in shown.splitlines():
        if line.startswith("# ") and not line.startswith("# riskplan") and "config" not in line:
            assert line in text, line
    assert main(["init", "--data", str(yunling_dir), "--out", str(out)]) == 2  # no overwrite
    assert main(["config", "--check", str(out), "--data", str(yunling_dir)]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out
    assert tomllib.loads(text)["calendar"]["school_terms"][0] == ["2025-09-01", "2026-01-23"]


def test_config_check_error_lists_everything(ouhai) -> None:
    bad = Config(routing=dataclasses.replace(Config().routing, early_start_types=("X-1", "wet markets")))
    with pytest.raises(ConfigCheckError) as exc:
        rp.plan(ouhai, bad)
    assert exc.value.key == "routing.early_start_types[0]"
    assert "routing.early_start_types[1]" in str(exc.value) and "did you mean 'wet market'" in str(exc.value)
