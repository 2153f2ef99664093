"""Annual quota: exact ceiling arithmetic and the quota settings."""

from __future__ import annotations

import copy
import types
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest
from broken_inputs.minidata import write_mini

from riskplan._settings import section_from_dict
from riskplan.allocation import QuotaRules, annual_quota, programme_quota, quota_for, resolve_population
from riskplan.datasets import read_dataset
from riskplan.errors import ConfigError, ValidationError


@pytest.mark.parametrize(
    ("population", "rate", "expected"),
    [
        (963_238, 1.0, 964),  # Ouhai 2020 census, the seed's 1 per 1,000
        (963_238, 4.0, 3853),  # demonstration-city supervision volume
        (700_000, 1.1, 770),  # 1.1 as a float is 1.1000000000000000888: naive ceil gives 771
        (1_001_600, 1.0, 1002),  # end of 2023 (100.16万)
        (1_000, 1.0, 1),
        (1_000, 0.1, 1),
        (0, 1.0, 0),
        (999, 1.0, 1),
        (300_000, 0.7, 210),  # 0.7 * 300 = 210.00000000000003 in floats
        (Decimal("963238"), Fraction(3, 2), 1445),
    ],
)
def test_annual_quota(population, rate, expected):
    q = annual_quota(population, rate)
    assert q == expected
    assert type(q) is int


@pytest.mark.parametrize(("population", "rate"), [(-1, 1.0), (1000, 0.0), (1000, -2.0), (1000, float("nan"))])
def test_annual_quota_rejects_bad_input(population, rate):
    with pytest.raises(ValueError):
        annual_quota(population, rate)


def test_quota_rules_defaults_and_toml():
    r = QuotaRules()
    assert r.rate_per_1000 == 1.0 and r.programme == "risk_monitoring" and r.programme_name_zh == "监测任务量"
    s = section_from_dict(QuotaRules, {"rate_per_1000": 4, "programme": "supervision"}, prefix="quota")
    assert s.rate_per_1000 == 4.0 and programme_quota(s, 963_238) == 3853


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"rate_per_1000": 0}, "quota.rate_per_1000"),
        ({"rate_per_1000": "1"}, "quota.rate_per_1000"),
        ({"population": -5}, "quota.population"),
        ({"nonsense": 1}, "quota.nonsense"),
    ],
)
def test_quota_rules_errors_name_the_key(data, key):
    with pytest.raises(ConfigError) as exc:
        section_from_dict(QuotaRules, data, prefix="quota")
    assert exc.value.key == key


def _fake_dataset(pops, year=2020):
    return types.SimpleNamespace(townships=pd.DataFrame({"population": pops}), residents=sum(pops),
                                 population=pd.DataFrame(), plan_year=2026,
                                 metadata={"population_year": year})


def test_population_year_and_override():
    ds = _fake_dataset([500_000, 463_238])
    assert quota_for(QuotaRules(), ds) == 964
    assert quota_for(QuotaRules(population_year=2023, population=1_001_600), ds) == 1002
    with pytest.raises(ConfigError, match="2023"):
        quota_for(QuotaRules(population_year=2023), ds)


def test_higher_level_counts_towards_quota_only_when_configured():
    assert programme_quota(QuotaRules(), 963_238, higher_level_samples=100) == 964
    assert programme_quota(QuotaRules(count_higher_level=True), 963_238, higher_level_samples=100) == 864


def test_ouhai_default_quota(ouhai):
    """population.csv: the latest year before the plan year (end of 2023) sizes the plan."""
    assert ouhai.residents == 963_238
    assert resolve_population(QuotaRules(), ouhai) == 1_001_600
    assert quota_for(QuotaRules(), ouhai) == 1002
    assert quota_for(QuotaRules(population_year=2020), ouhai) == 964
    assert quota_for(QuotaRules(population_year=2023), ouhai) == 1002
    assert quota_for(QuotaRules(population=700_000, population_year=2021), ouhai) == 700
    assert quota_for(QuotaRules(rate_per_1000=4.0), ouhai) == 4007
    assert quota_for(QuotaRules(rate_per_1000=4.0, population_year=2020), ouhai) == 3853
    with pytest.raises(ConfigError, match="no population figure for 2021: the dataset has 2020, 2023"):
        quota_for(QuotaRules(population_year=2021), ouhai)


def test_population_table_latest_year_before_plan_year(ouhai):
    ds = copy.copy(ouhai)
    ds.population = pd.DataFrame({"year": [2019, 2026, 2025], "residents": [900_000, 2_000_000, 950_001],
                                  "source": ["a", "b", "c"]})
    assert quota_for(QuotaRules(), ds) == 951  # 2025; the plan year 2026 itself is not "before"
    assert quota_for(QuotaRules(population_year=2026), ds) == 2000
    assert quota_for(QuotaRules(population_year=2020), ds) == 964  # the townships' year
    ds.population = pd.DataFrame({"year": [2027], "residents": [2_000_000], "source": [""]})
    assert quota_for(QuotaRules(), ds) == 964  # nothing before the plan year: the townships


def test_without_population_table_keeps_the_townships_sum(tmp_path):
    folder = write_mini(tmp_path / "m")
    assert not (folder / "population.csv").exists()
    ds = read_dataset(folder)
    assert len(ds.population) == 0 and list(ds.population.columns) == ["year", "residents", "source"]
    assert resolve_population(QuotaRules(), ds) == ds.residents


@pytest.mark.parametrize(("rows", "row", "column", "what"), [
    ([("2020", "abc", "")], 1, "residents", "whole number"),
    ([("2020", "1000", ""), ("2020", "2000", "")], 2, "year", "duplicate"),
    ([("1800", "1000", "")], 1, "year", "1949"),
    ([("2020", "-5", "")], 1, "residents", "> 0"),
])
def test_bad_population_row_names_file_row_column(tmp_path, rows, row, column, what):
    folder = write_mini(tmp_path / "m")
    body = "year,residents,source\n" + "".join(",".join(r) + "\n" for r in rows)
    (folder / "population.csv").write_text(body, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        read_dataset(folder)
    problems = info.value.problems
    hit = problems[(problems["file"] == "population.csv") & (problems["row"] == row)
                   & (problems["column"] == column)]
    assert len(hit) == 1, problems.to_string()
    assert what in hit["message_en"].iloc[0]
    assert "population.csv" in str(info.value)
