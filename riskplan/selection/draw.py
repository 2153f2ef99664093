"""Drawing a month: PPS per stratum, extra products at the shops drawn, visits merged per shop."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from riskplan.errors import RiskplanError
from riskplan.selection.candidates import Prepared, require_columns, stratum_rng
from riskplan.selection.pps import inclusion_probabilities, pps_sample
from riskplan.selection.result import KEY, SHORTFALL_COLUMNS, VISIT_COLUMNS, Selection
from riskplan.selection.rotation import eligible_mask
from riskplan.settings.selection import SelectionRules
from riskplan.tables import as_bool, station_of_township


def draw_stratum(
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


def stations_by_township(stations: pd.DataFrame) -> dict[str, str]:
    """``{township_code: station_id}`` of the stations table (after checking its columns).

    Raises
    ------
    RiskplanError
        The table lacks ``station_id`` or ``township_codes``.
    """
    require_columns(stations, ["station_id", "township_codes"], "stations")
    return station_of_township(stations)


def category_info(categories: pd.DataFrame | None, rules: SelectionRules) -> dict[str, tuple[bool, int]] | None:
    """``{category_code: (perishable, units_per_sample)}`` from the categories table."""
    if categories is None:
        return None
    require_columns(categories, ["category_code", "perishable", "units_per_sample"], "categories")
    units = pd.to_numeric(categories["units_per_sample"]).fillna(rules.default_units_per_sample).astype(int)
    return {
        str(c): (bool(p), int(u))
        for c, p, u in zip(categories["category_code"], as_bool(categories["perishable"]), units)
    }


def select_month(
    schedule: pd.DataFrame,
    prep: Prepared,
    hist_pos: np.ndarray,
    hist_mi: np.ndarray,
    year: int,
    month: int,
    rules: SelectionRules,
    seed: int,
    cat_info: dict[str, tuple[bool, int]] | None,
    station_of: dict[str, str] | None,
    per_visit_limit: np.ndarray | None = None,
    unreachable: Mapping[str, np.ndarray] | None = None,
) -> Selection:
    """Draw one month: every stratum of the schedule's month, then the visits merged per shop.

    Parameters
    ----------
    schedule
        The monthly schedule (key columns, ``month``, ``samples``).
    prep
        The register in array form (:func:`~riskplan.selection.candidates.prepare`).
    hist_pos, hist_mi
        Register position and month index (``12 * year + month - 1``) of every earlier sample or
        planned visit, for the rotation window.
    year, month
        The month drawn.
    rules
        Selection settings.
    seed
        The run's seed (each stratum draws from its own stream keyed by it).
    cat_info
        ``{category_code: (perishable, units_per_sample)}``; None: not perishable, default units.
    station_of
        ``{township_code: station_id}``; None: ``station_id`` left empty.
    per_visit_limit
        Most samples one visit of each establishment (register position) can take, over all
        its strata (e.g. what its visit windows allow); None: no limit. Samples drawn beyond it
        (strata in key order keep theirs first) go to the shortfall with that reason.
    unreachable
        Category -> one boolean per register position: True where a sample of that category can
        never be delivered (``riskplan.routing.reach``); those establishments are not drawn for
        that category's strata. None: every establishment can deliver.

    Returns
    -------
    Selection
        Visits, samples per (stratum, establishment) and the shortfall of the month.
    """
    sched = schedule[schedule["month"].astype(int) == month]
    sched = sched.assign(**{k: sched[k].astype(str) for k in KEY})
    sched = sched.groupby(KEY, as_index=False, sort=True)["samples"].sum()
    sched = sched[sched["samples"] > 0]

    eligible = eligible_mask(len(prep.ids), hist_pos, hist_mi, prep.window, year, month)
    empty = (np.array([], dtype=int), np.array([], dtype=float))
    sample_rows: list[tuple] = []
    short_rows: list[tuple] = []
    sizes: dict[tuple[str, str, str], tuple[int, int, int]] = {}
    columns = [sched[k].to_numpy(dtype=object).tolist() for k in KEY]
    for t, b, c, n in zip(*columns, sched["samples"].to_numpy(dtype=int).tolist()):
        key = (t, b, c)
        pos, size = prep.strata.get(key, empty)
        if unreachable and c in unreachable:  # never drawn for it, not even with the rotation relaxed
            keep = ~np.asarray(unreachable[c], dtype=bool)[pos]
            pos, size = pos[keep], size[keep]
        el = eligible[pos]
        rng = stratum_rng(seed, year, month, key)
        counts, probs, phase, missing, reason = draw_stratum(pos, size, el, int(n), rules, rng)
        for p, k in counts.items():
            sample_rows.append((t, b, c, p, k, probs[p], phase[p]))
        sizes[key] = (int(n), int(pos.size), int(el.sum()))
        if missing:
            short_rows.append((t, b, c, int(n), int(n) - missing, missing, pos.size, int(el.sum()), reason))
    if per_visit_limit is not None:
        sample_rows, short_rows = _within_visit_limit(sample_rows, short_rows, sizes, per_visit_limit)

    samples = pd.DataFrame(sample_rows, columns=["township_code", "business_type", "category_code", "pos",
                                                 "samples", "inclusion_probability", "phase"])
    visits = merge_visits(samples, prep, year, month, rules, cat_info, station_of)
    samples.insert(3, "establishment_id", prep.ids[samples["pos"].to_numpy(dtype=int)])
    samples = samples.drop(columns="pos").astype(
        {"establishment_id": "string", "samples": int, "inclusion_probability": float, "phase": "string"}
    )
    shortfall = pd.DataFrame(short_rows, columns=list(SHORTFALL_COLUMNS)).astype(
        {"requested": int, "delivered": int, "missing": int, "n_establishments": int, "n_eligible": int,
         "reason": "string"}
    )
    for df in (samples, shortfall):
        for col in KEY:
            df[col] = df[col].astype("string")
    return Selection(visits, samples, shortfall, year, month, int(seed), rules.method)


REASON_VISIT_FULL = "visit windows too short for more samples at the establishments drawn"


def _within_visit_limit(
    sample_rows: list[tuple], short_rows: list[tuple],
    sizes: dict[tuple[str, str, str], tuple[int, int, int]], limit: np.ndarray,
) -> tuple[list[tuple], list[tuple]]:
    """Cut the samples an establishment's one visit cannot take; report them as short."""
    total: dict[int, int] = {}
    kept: list[tuple] = []
    cut: dict[tuple[str, str, str], int] = {}
    for row in sample_rows:
        t, b, c, p, k = row[:5]
        take = min(int(k), max(int(limit[p]) - total.get(p, 0), 0))
        if take < k:
            cut[(t, b, c)] = cut.get((t, b, c), 0) + int(k) - take
        if take > 0:
            kept.append((t, b, c, p, take, *row[5:]))
            total[p] = total.get(p, 0) + take
    if not cut:
        return sample_rows, short_rows
    short = {(r[0], r[1], r[2]): list(r) for r in short_rows}
    for key, n in cut.items():
        if key in short:
            r = short[key]
            r[4] -= n
            r[5] += n
            r[8] = f"{r[8]}; {REASON_VISIT_FULL}"
        else:
            req, n_all, n_el = sizes[key]
            short[key] = [*key, req, req - n, n, n_all, n_el, REASON_VISIT_FULL]
    return kept, [tuple(short[k]) for k in sorted(short)]


def merge_visits(
    samples: pd.DataFrame,
    prep: Prepared,
    year: int,
    month: int,
    rules: SelectionRules,
    cat_info: dict[str, tuple[bool, int]] | None,
    station_of: dict[str, str] | None,
) -> pd.DataFrame:
    """One visit per establishment drawn: its strata's samples merged.

    Parameters
    ----------
    samples
        One row per (stratum, register position ``pos``) drawn, with ``samples`` and
        ``inclusion_probability``.
    prep
        The register in array form.
    year, month
        The month drawn (part of every ``visit_id``).
    rules
        Selection settings (purchase business types, default units per sample).
    cat_info, station_of
        As for :func:`select_month`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~riskplan.selection.result.VISIT_COLUMNS`, numbered visits first, then
        purchase orders, each by station, township, business type and establishment.

    Raises
    ------
    RiskplanError
        A category not in the categories table, or a township no station covers.
    """
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
