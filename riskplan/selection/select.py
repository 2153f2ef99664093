"""Which establishments to sample in a month: PPS by risk grade, rotation, merged visits.

:func:`select` takes the monthly schedule (samples per stratum and month) and, for each stratum of
the month, draws establishments handling that category in that township with that business type:

1. *eligible* shops (outside their rotation window) are drawn PPS without replacement, size =
   grade weight (optionally x daily customers), inclusion probabilities capped at 1;
2. if the stratum asks for more samples than it has eligible shops: (``combine_samples``) further
   products of the category are taken at the shops drawn, up to ``max_samples_per_category`` each
   (PPS again); then, only with ``relax_rotation``, shops inside their window are drawn (PPS) and
   combined the same way;
3. whatever still cannot be placed goes to the ``shortfall`` table with the reason.

Samples of different strata (categories) landing on one establishment in the month are merged into
one visit. Every requested sample is either in ``samples`` (and so in a visit) or in ``shortfall``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from riskplan.errors import RiskplanError
from riskplan.selection.pps import inclusion_probabilities, pps_sample
from riskplan.selection.rotation import eligible_mask, history_positions
from riskplan.selection.streams import keyed_rng
from riskplan.settings.selection import GRADES, SelectionRules
from riskplan.tables import (
    STRATUM_KEY,
    as_bool,
    explode_categories,
    station_of_township,
)

KEY: list[str] = list(STRATUM_KEY)

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

    def __repr__(self) -> str:
        return (f"Selection({self.year}-{self.month:02d}, visits={len(self.visits)}, "
                f"samples={self.delivered}/{self.requested}, seed={self.seed})")

    def summary(self) -> str:
        """The month's draw in a few lines: visits, purchases, samples and what fell short."""
        n_buy = int((self.visits["mode"] == "purchase").sum()) if len(self.visits) else 0
        short = self.requested - self.delivered
        lines = [
            f"selection 抽取 {self.year}-{self.month:02d} (seed {self.seed}, {self.method}): "
            f"{len(self.visits) - n_buy} visits, {n_buy} purchase orders",
            f"  samples 样品: {self.delivered} of {self.requested} requested"
            + (f", {short} short" if short else ""),
        ]
        if short:
            for reason, n in self.shortfall.groupby("reason")["missing"].sum().items():
                lines.append(f"    short: {int(n)} x {reason}")
        return "\n".join(lines)


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


@dataclasses.dataclass
class _Prepared:
    """The register in array form, built once per call (or once per year in select_year)."""

    est: pd.DataFrame  # establishments, index reset, establishment_id as str
    ids: np.ndarray  # establishment_id per position
    pos_of: dict[str, int]
    window: np.ndarray  # rotation window per position [months]
    strata: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]]  # key -> (positions, size)


def _prepare(establishments: pd.DataFrame, rules: SelectionRules) -> _Prepared:
    cand = prepare_candidates(establishments, rules)
    est = establishments.reset_index(drop=True)
    est = est.assign(establishment_id=est["establishment_id"].astype(str))
    if est["establishment_id"].duplicated().any():
        dup = est.loc[est["establishment_id"].duplicated(), "establishment_id"].head(5).tolist()
        raise RiskplanError(f"establishment_id must be unique; repeated: {', '.join(dup)}")
    ids = est["establishment_id"].to_numpy(dtype=object)
    pos_of = {e: i for i, e in enumerate(ids)}
    window = rules.window_months(est["risk_grade"], est["business_type"])
    cand = cand.assign(pos=cand["establishment_id"].map(pos_of).astype(int))
    cand = cand.sort_values(KEY + ["establishment_id"], kind="stable")
    # split the sorted table at stratum boundaries with numpy (a pandas group-by over thousands
    # of small strata costs seconds)
    keys = list(zip(*(cand[k].to_numpy(dtype=object).tolist() for k in KEY)))
    pos_arr = cand["pos"].to_numpy(dtype=int)
    size_arr = cand["size"].to_numpy(dtype=float)
    starts = [i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]] + [len(keys)]
    strata = {
        keys[a]: (pos_arr[a:b], size_arr[a:b]) for a, b in zip(starts[:-1], starts[1:])
    }
    return _Prepared(est, ids, pos_of, window, strata)


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
    est = est.assign(size=size.to_numpy(), categories=establishments["categories"].to_numpy())
    cand = explode_categories(est).drop(columns="categories")
    if "_cust" in cand.columns:
        med = cand.groupby(KEY)["_cust"].transform("median")
        cust = cand["_cust"].fillna(med).fillna(1.0).clip(lower=1.0)
        cand = cand.assign(size=cand["size"] * cust).drop(columns="_cust")
    return cand.reset_index(drop=True)


def _stratum_rng(seed: int, year: int, month: int, key: tuple[str, str, str]) -> np.random.Generator:
    # one stream per stratum: a stratum's draw does not depend on which other strata exist
    return keyed_rng(seed, year, month, "|".join(key))


# --------------------------------------------------------------------------- drawing


def _draw_stratum(
    ids: np.ndarray,
    size: np.ndarray,
    eligible: np.ndarray,
    n: int,
    rules: SelectionRules,
    rng: np.random.Generator,
) -> tuple[dict[int, int], dict[int, float], dict[int, str], int, str]:
    """Draw one stratum's ``n`` samples.

    Parameters
    ----------
    ids
        Register positions of the stratum's establishments.
    size
        Their PPS size measures.
    eligible
        Outside their rotation window.
    n
        Samples requested.
    rules
        Selection settings.
    rng
        The stratum's random stream.

    Returns
    -------
    tuple
        Samples per position, first-phase inclusion probability per position, phase per position
        (``pps`` / ``rotation_relaxed``), samples still missing, and the reason ('' if none).
    """
    counts: dict[int, int] = {}
    probs: dict[int, float] = {}
    phase: dict[int, str] = {}
    remaining = n
    per_shop = rules.max_samples_per_category if rules.combine_samples else 1
    size_of = dict(zip(ids.tolist(), size.tolist()))
    pools = [("pps", eligible)]
    if rules.relax_rotation:
        pools.append(("rotation_relaxed", ~eligible))
    for name, mask in pools:
        # 1. distinct shops of the pool, PPS without replacement
        pool_ids, pool_size = ids[mask], size[mask]
        take = min(remaining, pool_ids.size)
        if take > 0:
            pik = inclusion_probabilities(pool_size, take)
            chosen = np.flatnonzero(pps_sample(pik, rng, rules.method))
            for i in chosen:
                key = int(pool_ids[i])
                counts[key] = 1
                probs[key] = float(pik[i])
                phase[key] = name
            remaining -= take
        # 2. several products of the category at the shops drawn so far (PPS again per round),
        #    before turning to shops inside their rotation window
        drawn = np.array(list(counts), dtype=int)
        for _ in range(per_shop - 1):
            if remaining == 0 or drawn.size == 0:
                break
            room = np.array([counts[d] < per_shop for d in drawn])
            cand = drawn[room]
            take = min(remaining, cand.size)
            if take == 0:
                break
            d_size = np.array([size_of[d] for d in cand], dtype=float)
            for i in np.flatnonzero(pps_sample(inclusion_probabilities(d_size, take), rng, rules.method)):
                counts[int(cand[i])] += 1
            remaining -= take
        if remaining == 0:
            break
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
    return station_of_township(stations)


def _category_info(categories: pd.DataFrame | None, rules: SelectionRules) -> dict[str, tuple[bool, int]] | None:
    """``{category_code: (perishable, units_per_sample)}`` from the categories table."""
    if categories is None:
        return None
    _require(categories, ["category_code", "perishable", "units_per_sample"], "categories")
    units = pd.to_numeric(categories["units_per_sample"]).fillna(rules.default_units_per_sample).astype(int)
    return {
        str(c): (bool(p), int(u))
        for c, p, u in zip(categories["category_code"], as_bool(categories["perishable"]), units)
    }


def _select_month(
    schedule: pd.DataFrame,
    prep: _Prepared,
    hist_pos: np.ndarray,
    hist_mi: np.ndarray,
    year: int,
    month: int,
    rules: SelectionRules,
    seed: int,
    cat_info: dict[str, tuple[bool, int]] | None,
    station_of: dict[str, str] | None,
) -> Selection:
    sched = schedule[schedule["month"].astype(int) == month]
    sched = sched.assign(**{k: sched[k].astype(str) for k in KEY})
    sched = sched.groupby(KEY, as_index=False, sort=True)["samples"].sum()
    sched = sched[sched["samples"] > 0]

    eligible = eligible_mask(len(prep.ids), hist_pos, hist_mi, prep.window, year, month)
    empty = (np.array([], dtype=int), np.array([], dtype=float))
    sample_rows: list[tuple] = []
    short_rows: list[tuple] = []
    columns = [sched[k].to_numpy(dtype=object).tolist() for k in KEY]
    for t, b, c, n in zip(*columns, sched["samples"].to_numpy(dtype=int).tolist()):
        key = (t, b, c)
        pos, size = prep.strata.get(key, empty)
        el = eligible[pos]
        rng = _stratum_rng(seed, year, month, key)
        counts, probs, phase, missing, reason = _draw_stratum(pos, size, el, int(n), rules, rng)
        for p, k in counts.items():
            sample_rows.append((t, b, c, p, k, probs[p], phase[p]))
        if missing:
            short_rows.append((t, b, c, int(n), int(n) - missing, missing, pos.size, int(el.sum()), reason))

    samples = pd.DataFrame(sample_rows, columns=["township_code", "business_type", "category_code", "pos",
                                                 "samples", "inclusion_probability", "phase"])
    visits = _merge_visits(samples, prep, year, month, rules, cat_info, station_of)
    samples.insert(3, "establishment_id", prep.ids[samples["pos"].to_numpy(dtype=int)])
    samples = samples.drop(columns="pos").astype(
        {"establishment_id": "string", "samples": int, "inclusion_probability": float, "phase": "string"}
    )
    shortfall = pd.DataFrame(short_rows, columns=list(SHORTFALL_COLUMNS)).astype(
        {"requested": int, "delivered": int, "missing": int, "n_establishments": int, "n_eligible": int,
         "reason": "string"}
    )
    for df in (samples, shortfall):
        for k in KEY:
            df[k] = df[k].astype("string")
    return Selection(visits, samples, shortfall, year, month, int(seed), rules.method)


def _merge_visits(
    samples: pd.DataFrame,
    prep: _Prepared,
    year: int,
    month: int,
    rules: SelectionRules,
    cat_info: dict[str, tuple[bool, int]] | None,
    station_of: dict[str, str] | None,
) -> pd.DataFrame:
    # few hundred rows a month: plain Python accumulation beats pandas group-bys here
    acc: dict[int, list] = {}
    for c, p, k, pi in zip(*(samples[col].to_numpy(dtype=object).tolist()
                             for col in ("category_code", "pos", "samples", "inclusion_probability"))):
        if cat_info is not None:
            if c not in cat_info:
                unknown = sorted(set(samples["category_code"]) - set(cat_info))
                raise RiskplanError(f"category code(s) not in the categories table: {', '.join(unknown)}")
            perishable, units = cat_info[c]
        else:
            perishable, units = False, rules.default_units_per_sample
        a = acc.setdefault(int(p), [set(), 0, 0, False, 0.0])
        a[0].add(c)
        a[1] += int(k)
        a[2] += int(k) * int(units)
        a[3] = a[3] or bool(perishable)
        a[4] = max(a[4], float(pi))
    positions = np.array(sorted(acc, key=lambda q: prep.ids[q]), dtype=int)
    est = prep.est.iloc[positions].reset_index(drop=True)
    v = pd.DataFrame({
        "establishment_id": est["establishment_id"].astype("string"),
        "categories_to_sample": pd.array([";".join(sorted(acc[q][0])) for q in positions], dtype="string"),
        "samples": np.array([acc[q][1] for q in positions], dtype=int),
        "units": np.array([acc[q][2] for q in positions], dtype=int),
        "perishable": np.array([acc[q][3] for q in positions], dtype=bool),
        "inclusion_probability": np.array([acc[q][4] for q in positions], dtype=float),
    })
    for col in ("township_code", "business_type", "stage", "risk_grade", "opening_hours"):
        v[col] = est[col].astype("string") if col in est.columns else pd.array([pd.NA] * len(v), dtype="string")
    for col in ("lon_wgs84", "lat_wgs84"):
        v[col] = pd.to_numeric(est[col]).astype(float) if col in est.columns else np.nan
    if "has_location" in est.columns:
        v["has_location"] = est["has_location"].fillna(False).astype(bool)
    else:
        v["has_location"] = v["lon_wgs84"].notna() & v["lat_wgs84"].notna()
    v["mode"] = pd.array(np.where(v["business_type"].isin(rules.purchase_business_types), "purchase", "visit"),
                         dtype="string")
    if station_of is not None:
        v["station_id"] = v["township_code"].map(station_of).astype("string")
        if v["station_id"].isna().any():
            miss = sorted(v.loc[v["station_id"].isna(), "township_code"].unique())
            raise RiskplanError(f"no station covers township(s) {', '.join(miss)}")
    else:
        v["station_id"] = pd.array([pd.NA] * len(v), dtype="string")
    v["year"] = int(year)
    v["month"] = int(month)
    # stable numbering: purchases after visits, then by station, township, type, establishment
    v = v.sort_values(["mode", "station_id", "township_code", "business_type", "establishment_id"],
                      ascending=[False, True, True, True, True], kind="stable", na_position="last")
    purchase = (v["mode"] == "purchase").to_numpy()
    number = np.where(purchase, np.cumsum(purchase), np.cumsum(~purchase))
    v["visit_id"] = pd.array([f"{year}-{month:02d}-{'P' if p else 'V'}{k:04d}"
                              for p, k in zip(purchase, number)], dtype="string")
    return v[list(VISIT_COLUMNS)].reset_index(drop=True)


# --------------------------------------------------------------------------- public


def _check_schedule(schedule: pd.DataFrame) -> None:
    _require(schedule, KEY + ["month", "samples"], "schedule")
    s = pd.to_numeric(schedule["samples"], errors="coerce")
    if s.isna().any() or (s < 0).any() or (s != s.round()).any():
        raise RiskplanError("schedule.samples must be whole numbers >= 0")
    m = pd.to_numeric(schedule["month"], errors="coerce")
    if m.isna().any() or (m != m.round()).any() or ((m < 1) | (m > 12)).any():
        raise RiskplanError("schedule.month must be whole numbers 1-12")


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
    prep = _prepare(establishments, rules)
    hist_pos, hist_mi = history_positions(history, prep.pos_of, planned)
    return _select_month(
        schedule, prep, hist_pos, hist_mi, year_, month_, rules, seed,
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
    prep = _prepare(establishments, rules)
    cat_info = _category_info(categories, rules)
    station_of = _station_of_township(stations) if stations is not None else None
    hist_pos, hist_mi = history_positions(history, prep.pos_of)
    out: dict[int, Selection] = {}
    for m in months:
        sel = _select_month(schedule, prep, hist_pos, hist_mi, int(year), int(m), rules, seed,
                            cat_info, station_of)
        out[m] = sel
        # this month's visits count for the rotation of the later months
        new_pos = sel.visits["establishment_id"].map(prep.pos_of).to_numpy(dtype=int)
        hist_pos = np.concatenate([hist_pos, new_pos])
        hist_mi = np.concatenate([hist_mi, np.full(new_pos.size, 12.0 * int(year) + int(m) - 1)])
    return out


def select_dataset(dataset: Any, schedule: pd.DataFrame, month: int | str, rules: SelectionRules | None = None,
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
