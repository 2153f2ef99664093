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

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from riskplan.dataset import Dataset
from riskplan.errors import RiskplanError
from riskplan.roles import resolve_section
from riskplan.selection.candidates import Prepared, parse_month, prepare, require_columns
from riskplan.selection.draw import category_info, select_month, stations_by_township
from riskplan.selection.result import KEY, Selection
from riskplan.selection.rotation import history_positions
from riskplan.settings.selection import SelectionRules


def _check_schedule(schedule: pd.DataFrame) -> None:
    require_columns(schedule, KEY + ["month", "samples"], "schedule")
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
    per_visit_limit: np.ndarray | None = None,
    unreachable: Mapping[str, np.ndarray] | None = None,
    prepared: Prepared | None = None,
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
    per_visit_limit
        Most samples one visit of each establishment (rows of ``establishments``) can take over
        all its strata; None: no limit (see :func:`~riskplan.selection.draw.select_month`).
    unreachable
        Category -> one boolean per row of ``establishments``: True where a sample of that
        category can never be delivered (``riskplan.routing.reach.perishable_reach``); they are
        not drawn for it. None: every establishment can deliver.
    prepared
        ``prepare(establishments, rules)`` made once for several months (it does not depend on
        the month); None: made here.

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
    year_, month_ = parse_month(month, year, schedule)
    prep = prepared if prepared is not None else prepare(establishments, rules)
    hist_pos, hist_mi = history_positions(history, prep.pos_of, planned)
    return select_month(
        schedule, prep, hist_pos, hist_mi, year_, month_, rules, seed,
        category_info(categories, rules),
        stations_by_township(stations) if stations is not None else None,
        per_visit_limit,
        unreachable,
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
    prep = prepare(establishments, rules)
    cat_info = category_info(categories, rules)
    station_of = stations_by_township(stations) if stations is not None else None
    hist_pos, hist_mi = history_positions(history, prep.pos_of)
    out: dict[int, Selection] = {}
    for m in months:
        sel = select_month(schedule, prep, hist_pos, hist_mi, int(year), int(m), rules, seed,
                            cat_info, station_of)
        out[m] = sel
        # this month's visits count for the rotation of the later months
        new_pos = sel.visits["establishment_id"].map(prep.pos_of).to_numpy(dtype=int)
        hist_pos = np.concatenate([hist_pos, new_pos])
        hist_mi = np.concatenate([hist_mi, np.full(new_pos.size, 12.0 * int(year) + int(m) - 1)])
    return out


def select_dataset(dataset: Dataset, schedule: pd.DataFrame, month: int | str, rules: SelectionRules | None = None,
                   seed: int = 0, planned: pd.DataFrame | None = None,
                   per_visit_limit: np.ndarray | None = None,
                   unreachable: Mapping[str, np.ndarray] | None = None,
                   prepared: Prepared | None = None) -> Selection:
    """:func:`select` with every table taken from a :class:`~riskplan.dataset.Dataset`.

    History is ``dataset.history`` plus ``dataset.results``; the year is ``dataset.plan_year``;
    ``prepared``: :func:`prepare_dataset` made once for several months.
    """
    parts = [t for t in (getattr(dataset, "history", None), getattr(dataset, "results", None))
             if t is not None and len(t)]
    history = pd.concat(parts, ignore_index=True) if parts else None
    # rules may name roles (online sellers, markets): the dataset says which business types
    rules = resolve_section("selection", rules or SelectionRules(), dataset)
    return select(schedule, dataset.establishments, history, month, rules, seed,
                  year=dataset.plan_year, planned=planned, categories=dataset.categories,
                  stations=dataset.stations, per_visit_limit=per_visit_limit,
                  unreachable=unreachable, prepared=prepared)


def prepare_dataset(dataset: Dataset, rules: SelectionRules | None = None) -> Prepared:
    """The dataset's register in array form for :func:`select_dataset` (the same for every month)."""
    return prepare(dataset.establishments, resolve_section("selection", rules or SelectionRules(), dataset))
