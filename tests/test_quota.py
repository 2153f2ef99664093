"""Annual quota: exact ceiling arithmetic and the quota settings."""

from __future__ import annotations

import types
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest

from riskplan._settings import section_from_dict
from riskplan.allocation import QuotaRules, annual_quota, programme_quota, quota_for
from riskplan.errors import ConfigError


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
    return types.SimpleNamespace(townships=pd.DataFrame({"population": pops}), metadata={"population_year": year})


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
    assert ouhai.population == 963_238
    assert quota_for(QuotaRules(), ouhai) == 964
    assert quota_for(QuotaRules(rate_per_1000=4.0), ouhai) == 3853
