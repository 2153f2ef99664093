"""The whole configuration: defaults, TOML round trip, strict errors naming the key, code checks."""

from __future__ import annotations

import dataclasses
import tomllib

import pytest

from riskplan.config import SECTIONS, Config, load_config
from riskplan.errors import ConfigError


def _write(tmp_path, text: str):
    p = tmp_path / "c.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_and_round_trip(tmp_path) -> None:
    cfg = load_config(None)
    assert cfg == Config() and cfg.seed == 2026
    text = cfg.to_toml()
    doc = tomllib.loads(text)
    assert list(doc) == ["seed", *SECTIONS]
    assert load_config(_write(tmp_path, text)) == cfg
    assert load_config(_write(tmp_path, "")) == cfg


def test_values_are_read(tmp_path) -> None:
    cfg = load_config(_write(tmp_path, "seed = 7\n[quota]\nrate_per_1000 = 4.0\n[export]\nlang = 'en'\n"))
    assert cfg.seed == 7 and cfg.quota.rate_per_1000 == 4.0 and cfg.export.lang == "en"
    assert cfg.risk == Config().risk


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("colour = 1", "colour"),
        ("[quota]\nrate_per_100 = 1.0", "quota.rate_per_100"),
        ("[quota]\nrate_per_1000 = 'many'", "quota.rate_per_1000"),
        ("[quota]\nrate_per_1000 = 0", "quota.rate_per_1000"),
        ("[quota]\nrate_per_1000 = -1.5", "quota.rate_per_1000"),
        ("seed = 'x'", "seed"),
        ("seed = -1", "seed"),
        ("quota = 3", "quota"),
        ("[export]\nlang = 'fr'", "export.lang"),
        ("[export]\nmap_dpi = 5", "export.map_dpi"),
        ("[risk]\nhalf_life_years = -1.0", "risk.half_life_years"),
        ("[bogus]\nx = 1", "bogus"),
    ],
)
def test_errors_name_the_key(tmp_path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as exc:
        load_config(_write(tmp_path, text))
    assert exc.value.key == key
    assert f"'{key}'" in str(exc.value)


def test_bad_toml_and_missing_file(tmp_path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_write(tmp_path, "[quota\n"))
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_check_codes_accepts_the_defaults_on_ouhai(ouhai) -> None:
    Config().check_codes(ouhai)


@pytest.mark.parametrize(
    ("section", "field", "value", "key", "what"),
    [
        ("selection", "purchase_business_types", ("D-ONLINE", "D-NOPE"),
         "selection.purchase_business_types[1]", "business type"),
        ("allocation", "key_categories", ("C01", "C99"), "allocation.key_categories[1]", "category"),
        ("allocation", "township_min_overrides", {"330304999": 3, "330304001": 2},
         "allocation.township_min_overrides.330304999", "township"),
        # not named by its key: recognised by the shape of the dataset's codes
        ("routing", "early_start_types", ("C-NOPE",), "routing.early_start_types[0]", "business type"),
    ],
)
def test_check_codes_names_the_key(ouhai, section, field, value, key: str, what: str) -> None:
    cfg = Config()
    cfg = cfg.replace(**{section: dataclasses.replace(getattr(cfg, section), **{field: value})})
    with pytest.raises(ConfigError) as exc:
        cfg.check_codes(ouhai)
    assert exc.value.key == key and what in str(exc.value)


def test_default_toml_documents_every_key_and_reads_back_equal() -> None:
    import re

    from riskplan.config import Config

    text = Config().to_toml()
    lines = text.splitlines()
    table = ""
    for i, line in enumerate(lines):
        header = re.match(r"^\[([^\]]+)\]$", line)
        if header:
            table = header.group(1)
            if "." in table:  # a dict-valued setting written as a sub-table
                assert lines[i - 1].startswith("# "), f"[{table}] has no comment"
            continue
        if re.match(r"^[A-Za-z_]\w* = ", line) and "." not in table:
            assert lines[i - 1].startswith("# "), f"{table}.{line.split(' = ')[0]} has no comment"
    assert Config.from_dict(__import__("tomllib").loads(text)) == Config()
