"""Which establishments to sample in a month: PPS by risk grade, rotation, merged visits.

:func:`select` takes the monthly schedule (samples per stratum and month) and, for each stratum of
the month, draws establishments handling that category in that township with that business type:

1. *eligible* shops (outside their rotation window) are drawn PPS without replacement, size =
   grade weight (optionally x daily customers), inclusion probabilities capped at 1;
2. if the stratum asks for more samples than it has eligible shops: optionally (``relax_rotation``)
   shops inside their window are drawn too; then (``combine_samples``) further products of the
   category are taken at shops already drawn, up to ``max_samples_per_category`` each (PPS again);
3. whatever still cannot be placed goes to the ``shortfall`` table with the reason.

Samples of different strata (categories) landing on one establishment in the month are merged into
one visit. Every requested sample is either in ``samples`` (and so in a visit) or in ``shortfall``.
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Iterable

import numpy as np
import pandas as pd

from riskplan.errors import RiskplanError
from riskplan.selection.pps import inclusion_probabilities, pps_sample
from riskplan.selection.rotation import rotation_table
from riskplan.selection.rules import GRADES, SelectionRules

KEY: list[str] = ["township_code", "business_type", "category_code"]

VISIT_COLUMNS: tuple[str, ...] = (
    "visit_id",
    "year",
    "month",
    "establishment_id",
    "township_code",
    "business_type",
    "stage",
    "risk_grade",
    "categories_to_sample",
    "samples",
    "units",
    "perishable",
    "mode",
    "has_location",
    "station_id",
    "inclusion_probability",
    "opening_hours",
    "lon_wgs84",
    "lat_wgs84",
)
"""Columns of ``Selection.visits``, in order."""

SAMPLE_COLUMNS: tuple[str, ...] = (
    "township_code",
    "business_type",
    "category_code",
    "establishment_id",
    "samples",
    "inclusion_probability",
    "phase",
)
"""Columns of ``Selection.samples`` (one row per stratum x establishment drawn)."""

SHORTFALL_COLUMNS: tuple[str, ...] = (
    "township_code",
    "business_type",
    "category_code",
    "requested",
    "delivered",
    "missing",
    "n_establishments",
    "n_eligible",
    "reason",
)
"""Columns of ``Selection.shortfall`` (one row per stratum not fully served)."""


@dataclasses.dataclass
class Selection:
    """The establishments chosen for one month.

    Attributes
    ----------
    visits
        One row per establishment chosen in the month (columns :data:`VISIT_COLUMNS`):
        ``visit_id`` (``"2026-07-V0001"``; ``P`` instead of ``V`` for purchase orders),
        ``categories_to_sample`` (``;`` list), ``samples`` (number of samples taken there),
        ``units`` (units to buy, from ``categories.units_per_sample``), ``perishable`` (any of its
        categories needs cold chain), ``mode`` (``"visit"`` or ``"purchase"``), ``station_id`` (the
        station covering the township), ``inclusion_probability`` (largest first-phase inclusion
        probability over its strata), coordinates and opening hours copied from the register.
    samples
        One row per (stratum, establishment) drawn (:data:`SAMPLE_COLUMNS`) with its number of
        samples, its inclusion probability in that stratum (for Horvitz-Thompson estimation) and
        ``phase`` (``pps``, or ``rotation_relaxed`` when drawn from shops inside their window).
    shortfall
        One row per stratum whose request could not be met in full (:data:`SHORTFALL_COLUMNS`),
        with ``reason``. ``samples`` per stratum + ``missing`` = the schedule's request, exactly.
    year, month, seed, method
        What was drawn, with which seed and PPS design.
    """

    visits: pd.DataFrame
    samples: pd.DataFrame
    shortfall: pd.DataFrame
    year: int
    month: int
    seed: int
    method: str

    @property
    def route_visits(self) -> pd.DataFrame:
        """Visits to route (``mode == "visit"``)."""
        return self.visits[self.visits["mode"] == "visit"].reset_index(drop=True)

    @property
    def purchase_orders(self) -> pd.DataFrame:
        """Online purchases (``mode == "purchase"``): not routed."""
        return self.visits[self.visits["mode"] == "purchase"].reset_index(drop=True)

    @property
    def requested(self) -> int:
        """Samples the schedule asked for in the month."""
        return int(self.samples["samples"].sum() + self.shortfall["missing"].sum())

    @property
    def delivered(self) -> int:
        """Samples placed in visits or purchase orders."""
        return int(self.visits["samples"].sum())


# --------------------------------------------------------------------------- inputs


def _require(df: pd.DataFrame, cols: Iterable[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise RiskplanError(f"{what} lacks column(s): {', '.join(missing)}")


def _parse_month(month: int | str | pd.Period, year: int | None, schedule: pd.DataFrame) -> tuple[int, int]:
    if isinstance(month, str) or isinstance(month, pd.Period):
        try:
            p = pd.Period(month, freq="M")
        except ValueError:
            raise RiskplanError(f"month must be 1-12 or 'YYYY-MM', got {month!r}") from None
        return int(p.year), int(p.month)
    if isinstance(month, bool) or not isinstance(month, (int, np.integer)) or not 1 <= int(month) <= 12:
        raise RiskplanError(f"month must be 1-12 or 'YYYY-MM', got {month!r}")
    if year is None:
        year = schedule.attrs.get("plan_year", schedule.attrs.get("year"))
    if year is None:
        raise RiskplanError(
            "the plan year is unknown: pass year=... (e.g. dataset.plan_year) or month='YYYY-MM'"
        )
    return int(year), int(month)


def prepare_candidates(establishments: pd.DataFrame, rules: SelectionRules) -> pd.DataFrame:
    """One row per (establishment, category handled), with its PPS size measure.

    Columns: the stratum key, ``establishment_id``, ``risk_grade``, ``size``.
    """
    _require(
        establishments,
        ["establishment_id", "township_code", "business_type", "categories", "risk_grade"],
        "establishments",
    )
    bad = ~establishments["risk_grade"].isin(GRADES)
    if bad.any():
        ids = establishments.loc[bad, "establishment_id"].astype(str).head(5).tolist()
        raise RiskplanError(f"risk_grade must be A-D; bad rows for {', '.join(ids)}")
    est = establishments[["establishment_id", "township_code", "business_type", "risk_grade"]].astype(str)
    size = establishments["risk_grade"].map(rules.grade_weights).astype(float)
    if rules.size_by_customers and "daily_customers" in establishments.columns:
        cust = pd.to_numeric(establishments["daily_customers"], errors="coerce").astype(float)
        est = est.assign(_cust=cust.to_numpy())
    est = est.assign(size=size.to_numpy(), category_code=establishments["categories"].astype(str).str.split(";"))
    cand = est.explode("category_code", ignore_index=True)
    cand["category_code"] = cand["category_code"].str.strip()
    cand = cand[cand["category_code"] != ""]
    if "_cust" in cand.columns:
        med = cand.groupby(KEY)["_cust"].transform("median")
        cust = cand["_cust"].fillna(med).fillna(1.0).clip(lower=1.0)
        cand = cand.assign(size=cand["size"] * cust).drop(columns="_cust")
    return cand.reset_index(drop=True)


def _stratum_rng(seed: int, year: int, month: int, key: tuple[str, str, str]) -> np.random.Generator:
    # one stream per stratum: a stratum's draw does not depend on which other strata exist
    tag = zlib.crc32("|".join(key).encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(year), int(month), tag]))


# --------------------------------------------------------------------------- drawing


def _draw_stratum(
    ids: np.ndarray,
    size: np.ndarray,
    eligible: np.ndarray,
    n: int,
    rules: SelectionRules,
    rng: np.random.Generator,
) -> tuple[dict[str, int], dict[str, float], dict[str, str], int, str]:
    """Samples per establishment, inclusion probabilities, phases, missing count and reason."""
    counts: dict[str, int] = {}
    probs: dict[str, float] = {}
    phase: dict[str, str] = {}
    remaining = n
    pools = [("pps", eligible)]
    if rules.relax_rotation:
        pools.append(("rotation_relaxed", ~eligible))
    for name, mask in pools:
        if remaining == 0:
            break
        pool_ids, pool_size = ids[mask], size[mask]
        take = min(remaining, pool_ids.size)
        if take == 0:
            continue
        pik = inclusion_probabilities(pool_size, take)
        chosen = pps_sample(pik, rng, rules.method)
        for i in np.flatnonzero(chosen):
            counts[pool_ids[i]] = 1
            probs[pool_ids[i]] = float(pik[i])
            phase[pool_ids[i]] = name
        remaining -= take
    # several products of the category at one shop: extra rounds over the shops already drawn
    per_shop = rules.max_samples_per_category if rules.combine_samples else 1
    drawn = np.array(list(counts), dtype=object)
    if remaining > 0 and drawn.size and per_shop > 1:
        size_of = dict(zip(ids, size))
        drawn_size = np.array([size_of[d] for d in drawn], dtype=float)
        for _ in range(per_shop - 1):
            take = min(remaining, drawn.size)
            if take == 0:
                break
            chosen = pps_sample(inclusion_probabilities(drawn_size, take), rng, rules.method)
            for i in np.flatnonzero(chosen):
                counts[drawn[i]] += 1
            remaining -= take
    reason = ""
    if remaining > 0:
        n_all, n_el = ids.size, int(eligible.sum())
        if n_all == 0:
            reason = "no establishment in stratum"
        elif n_el == 0 and not rules.relax_rotation:
            reason = "all establishments inside their rotation window"
        else:
            reason = (
                f"not enough establishments ({n_el} eligible of {n_all}, "
                f"at most {per_shop} sample(s) per establishment)"
            )
    return counts, probs, phase, remaining, reason


def _station_of_township(stations: pd.DataFrame) -> dict[str, str]:
    _require(stations, ["station_id", "township_codes"], "stations")
    out: dict[str, str] = {}
    for sid, codes in zip(stations["station_id"].astype(str), stations["township_codes"].astype(str)):
        for code in codes.split(";"):
            if code.strip():
                out[code.strip()] = sid
    return out


def _category_info(categories: pd.DataFrame | None, rules: SelectionRules) -> pd.DataFrame | None:
    if categories is None:
        return None
    _require(categories, ["category_code", "perishable", "units_per_sample"], "categories")
    return pd.DataFrame(
        {
            "category_code": categories["category_code"].astype(str).to_numpy(),
            "perishable": categories["perishable"].astype(bool).to_numpy(),
            "units_per_sample": pd.to_numeric(categories["units_per_sample"])
            .fillna(rules.default_units_per_sample)
            .astype(int)
            .to_numpy(),
        }
    )


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _select_month(
    schedule: pd.DataFrame,
    establishments: pd.DataFrame,
    candidates: pd.DataFrame,
    history: pd.DataFrame | None,
    year: int,
    month: int,
    rules: SelectionRules,
    seed: int,
    planned: pd.DataFrame | None,
    cat_info: pd.DataFrame | None,
    station_of: dict[str, str] | None,
) -> Selection:
    sched = schedule[schedule["month"].astype(int) == month]
    sched = sched.assign(**{k: sched[k].astype(str) for k in KEY})
    sched = sched.groupby(KEY, as_index=False, sort=True)["samples"].sum()
    sched = sched[sched["samples"] > 0]

    rot = rotation_table(establishments, history, year, month, rules, planned)
    elig = dict(zip(rot["establishment_id"], rot["eligible"]))
    cand = candidates.merge(sched[KEY], on=KEY, how="inner")
    cand = cand.assign(eligible=cand["establishment_id"].map(elig).astype(bool))
    cand = cand.sort_values(KEY + ["establishment_id"], kind="stable")
    groups = {k: g for k, g in cand.groupby(KEY, sort=False)}

    sample_rows: list[tuple] = []
    short_rows: list[tuple] = []
    for rec in sched.itertuples(index=False):
        key = (rec.township_code, rec.business_type, rec.category_code)
        n = int(rec.samples)
        g = groups.get(key)
        if g is None:
            ids = np.array([], dtype=object)
            size = np.array([], dtype=float)
            el = np.array([], dtype=bool)
        else:
            ids = g["establishment_id"].to_numpy(dtype=object)
            size = g["size"].to_numpy(dtype=float)
            el = g["eligible"].to_numpy(dtype=bool)
        rng = _stratum_rng(seed, year, month, key)
        counts, probs, phase, missing, reason = _draw_stratum(ids, size, el, n, rules, rng)
        for eid, c in counts.items():
            sample_rows.append((*key, eid, c, probs[eid], phase[eid]))
        if missing:
            short_rows.append((*key, n, n - missing, missing, ids.size, int(el.sum()), reason))

    samples = pd.DataFrame(sample_rows, columns=list(SAMPLE_COLUMNS)) if sample_rows else _empty(SAMPLE_COLUMNS)
    samples = samples.astype({"samples": int, "inclusion_probability": float})
    shortfall = (
        pd.DataFrame(short_rows, columns=list(SHORTFALL_COLUMNS)) if short_rows else _empty(SHORTFALL_COLUMNS)
    )
    shortfall = shortfall.astype(
        {"requested": int, "delivered": int, "missing": int, "n_establishments": int, "n_eligible": int}
    )
    visits = _merge_visits(samples, establishments, year, month, rules, cat_info, station_of)
    return Selection(visits, samples, shortfall, year, month, int(seed), rules.method)


def _merge_visits(
    samples: pd.DataFrame,
    establishments: pd.DataFrame,
    year: int,
    month: int,
    rules: SelectionRules,
    cat_info: pd.DataFrame | None,
    station_of: dict[str, str] | None,
) -> pd.DataFrame:
    s = samples
    if cat_info is not None:
        s = s.merge(cat_info, on="category_code", how="left")
        if s["units_per_sample"].isna().any():
            unknown = sorted(s.loc[s["units_per_sample"].isna(), "category_code"].unique())
            raise RiskplanError(f"category code(s) not in the categories table: {', '.join(unknown)}")
    else:
        s = s.assign(perishable=False, units_per_sample=rules.default_units_per_sample)
    s = s.assign(units=s["samples"] * s["units_per_sample"].astype(int), perishable=s["perishable"].astype(bool))
    agg = s.sort_values(["establishment_id", "category_code"]).groupby("establishment_id", sort=True).agg(
        categories_to_sample=("category_code", lambda c: ";".join(dict.fromkeys(c))),
        samples=("samples", "sum"),
        units=("units", "sum"),
        perishable=("perishable", "any"),
        inclusion_probability=("inclusion_probability", "max"),
    )
    agg = agg.reset_index()
    est = establishments.assign(establishment_id=establishments["establishment_id"].astype(str))
    est = est.drop_duplicates("establishment_id")
    keep = [c for c in ("establishment_id", "township_code", "business_type", "stage", "risk_grade",
                        "opening_hours", "has_location", "lon_wgs84", "lat_wgs84") if c in est.columns]
    v = agg.merge(est[keep], on="establishment_id", how="left")
    for col in ("stage", "opening_hours"):
        if col not in v.columns:
            v[col] = pd.Series(pd.NA, index=v.index, dtype="string")
    for col in ("lon_wgs84", "lat_wgs84"):
        if col not in v.columns:
            v[col] = np.nan
    if "has_location" not in v.columns:
        v["has_location"] = v["lon_wgs84"].notna() & v["lat_wgs84"].notna()
    v["has_location"] = v["has_location"].astype(bool)
    v["mode"] = np.where(v["business_type"].isin(rules.purchase_business_types), "purchase", "visit")
    if station_of is not None:
        v["station_id"] = v["township_code"].astype(str).map(station_of)
        if v["station_id"].isna().any():
            miss = sorted(v.loc[v["station_id"].isna(), "township_code"].astype(str).unique())
            raise RiskplanError(f"no station covers township(s) {', '.join(miss)}")
    else:
        v["station_id"] = pd.Series(pd.NA, index=v.index, dtype="string")
    v["year"] = int(year)
    v["month"] = int(month)
    v = v.sort_values(["mode", "station_id", "township_code", "business_type", "establishment_id"],
                      ascending=[False, True, True, True, True], kind="stable", na_position="last")
    prefix = np.where(v["mode"] == "purchase", "P", "V")
    number = v.groupby("mode").cumcount() + 1
    v["visit_id"] = [f"{year}-{month:02d}-{p}{k:04d}" for p, k in zip(prefix, number)]
    v = v[list(VISIT_COLUMNS)].reset_index(drop=True)
    return v.astype({"samples": int, "units": int, "perishable": bool,
                     "inclusion_probability": float, "year": int, "month": int})


# --------------------------------------------------------------------------- public


def _check_schedule(schedule: pd.DataFrame) -> None:
    _require(schedule, KEY + ["month", "samples"], "schedule")
    s = pd.to_numeric(schedule["samples"], errors="coerce")
    if s.isna().any() or (s < 0).any() or (s != s.round()).any():
        raise RiskplanError("schedule.samples must be whole numbers >= 0")


def select(
    schedule: pd.DataFrame,
    establishments: pd.DataFrame,
    history: pd.DataFrame | None,
    month: int | str,
    rules: SelectionRules | None = None,
    seed: int = 0,
    *,
    year: int | None = None,
    planned: pd.DataFrame | None = None,
    categories: pd.DataFrame | None = None,
    stations: pd.DataFrame | None = None,
) -> Selection:
    """Draw the establishments to sample in one month.

    Parameters
    ----------
    schedule
        Monthly schedule: ``township_code, business_type, category_code, month, samples``.
    establishments
        The register (``establishment_id, township_code, business_type, stage, categories,
        risk_grade``, optional ``daily_customers``, ``has_location``, ``lon_wgs84``, ``lat_wgs84``,
        ``opening_hours``).
    history
        Past samples (``establishment_id, sample_date``) for the rotation window; pass
        ``pd.concat([dataset.history, dataset.results])`` to count this year's results too.
        None for no history.
    month
        Plan month 1-12 (then the year comes from ``year`` or ``schedule.attrs["plan_year"]``), or
        ``"YYYY-MM"``.
    rules
        Selection settings; defaults to ``SelectionRules()``.
    seed
        Seed of the random draw: same inputs and seed give the same visits.
    year
        Plan year when ``month`` is a number.
    planned
        Visits already planned for earlier months (e.g. earlier ``Selection.visits``): they count
        for the rotation window like history.
    categories
        Categories table (``category_code, perishable, units_per_sample``); without it visits get
        ``perishable = False`` and ``rules.default_units_per_sample`` units per sample.
    stations
        Stations table (``station_id, township_codes``) to fill ``station_id``; without it the
        column is empty.

    Returns
    -------
    Selection
        ``visits``, ``samples`` and ``shortfall`` tables (see :class:`Selection`).

    Raises
    ------
    RiskplanError
        For missing columns, a bad month, grades outside A-D, unknown categories, or a township
        no station covers.
    """
    rules = rules or SelectionRules()
    _check_schedule(schedule)
    year_, month_ = _parse_month(month, year, schedule)
    cand = prepare_candidates(establishments, rules)
    return _select_month(
        schedule, establishments, cand, history, year_, month_, rules, seed, planned,
        _category_info(categories, rules),
        _station_of_township(stations) if stations is not None else None,
    )


def select_year(
    schedule: pd.DataFrame,
    establishments: pd.DataFrame,
    history: pd.DataFrame | None,
    year: int,
    rules: SelectionRules | None = None,
    seed: int = 0,
    *,
    months: Iterable[int] | None = None,
    categories: pd.DataFrame | None = None,
    stations: pd.DataFrame | None = None,
) -> dict[int, Selection]:
    """Select month after month, each month's visits counting for the later months' rotation.

    Returns
    -------
    dict
        ``{month: Selection}`` for ``months`` (default: every month of the schedule, in order).
    """
    rules = rules or SelectionRules()
    _check_schedule(schedule)
    months = sorted(set(schedule["month"].astype(int))) if months is None else sorted(months)
    cand = prepare_candidates(establishments, rules)
    cat_info = _category_info(categories, rules)
    station_of = _station_of_township(stations) if stations is not None else None
    out: dict[int, Selection] = {}
    planned: list[pd.DataFrame] = []
    for m in months:
        prev = pd.concat(planned, ignore_index=True) if planned else None
        sel = _select_month(schedule, establishments, cand, history, int(year), int(m), rules, seed,
                            prev, cat_info, station_of)
        out[m] = sel
        planned.append(sel.visits[["establishment_id", "year", "month"]])
    return out


def select_dataset(dataset, schedule: pd.DataFrame, month: int | str, rules: SelectionRules | None = None,
                   seed: int = 0, planned: pd.DataFrame | None = None) -> Selection:
    """:func:`select` with every table taken from a :class:`~riskplan.datasets.Dataset`.

    History is ``dataset.history`` plus ``dataset.results``; the year is ``dataset.plan_year``.
    """
    parts = [t for t in (getattr(dataset, "history", None), getattr(dataset, "results", None))
             if t is not None and len(t)]
    history = pd.concat(parts, ignore_index=True) if parts else None
    return select(schedule, dataset.establishments, history, month, rules, seed,
                  year=dataset.plan_year, planned=planned, categories=dataset.categories,
                  stations=dataset.stations)
