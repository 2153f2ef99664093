"""Build every table of a synthetic district in memory.

The input is the district's :class:`~riskplan.synthetic.spec.DistrictSpec`.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
from shapely.geometry.base import BaseGeometry

from riskplan.synthetic.catalogue import business_types_table, categories_table
from riskplan.synthetic.complaints import build_complaints
from riskplan.synthetic.establishments import build_establishments
from riskplan.synthetic.geography import build_townships
from riskplan.synthetic.sampling import build_history, build_results
from riskplan.synthetic.spec import DistrictSpec
from riskplan.synthetic.stations import build_labs, build_officers, build_stations
from riskplan.synthetic.targets import TargetExamples, build_target_actuals
from riskplan.synthetic.truth import hidden_truth


@dataclasses.dataclass(frozen=True, eq=False)
class SyntheticDistrict:
    """Every table of a built district (cells as the text written to the files).

    Attributes
    ----------
    spec
        What it was built from.
    townships
        Townships table with ``area_km2`` (not written to ``townships.csv``).
    polygons
        Township polygons (WGS-84), same order.
    notes
        Township centres moved inside the outline, one sentence each.
    categories, business_types, establishments, stations, officers, labs
        The dataset's tables (docs/contracts.md), all cells text.
    history, results, complaints
        Likewise.
    truth
        The hidden truth the history and results were drawn from (never written).
    targets
        Creation targets and example actuals, or None.
    target_actuals
        ``target_actuals.csv``, or None without ``targets``.
    """

    spec: DistrictSpec
    townships: pd.DataFrame
    polygons: tuple[BaseGeometry, ...]
    notes: tuple[str, ...]
    categories: pd.DataFrame
    business_types: pd.DataFrame
    establishments: pd.DataFrame
    stations: pd.DataFrame
    officers: pd.DataFrame
    labs: pd.DataFrame
    history: pd.DataFrame
    results: pd.DataFrame
    complaints: pd.DataFrame
    truth: pd.DataFrame
    targets: TargetExamples | None
    target_actuals: pd.DataFrame | None

    def counts(self) -> dict[str, int]:
        """Rows of the main tables."""
        return {"townships": len(self.townships), "establishments": len(self.establishments),
                "history": len(self.history), "results": len(self.results)}


def build_district(spec: DistrictSpec, targets: TargetExamples | None = None) -> SyntheticDistrict:
    """Generate every table of a district (seeded: the same spec gives the same tables).

    Parameters
    ----------
    spec
        The district.
    targets
        Creation targets with example actual values (optional).

    Returns
    -------
    SyntheticDistrict

    Raises
    ------
    ValueError
        When the spec cannot give a consistent dataset, e.g. a category handled nowhere.
    """
    towns = build_townships(spec)
    cats = categories_table(spec.food_categories, spec.local_seasons)
    btypes = business_types_table(spec.business_types)
    est = build_establishments(spec, towns.table, towns.polygons, btypes)
    handled = set(";".join(est["categories"]).split(";"))
    missing = set(cats["category_code"]) - handled
    if missing:
        raise ValueError(f"categories handled nowhere: {sorted(missing)}")
    stations = build_stations(spec, towns.table, towns.polygons, est)
    truth = hidden_truth(towns.table, btypes, cats, seed=spec.seed, years=spec.truth_years)
    actuals = (None if targets is None
               else build_target_actuals(targets, est, spec.reference_date.isoformat()))
    return SyntheticDistrict(
        spec=spec, townships=towns.table, polygons=towns.polygons, notes=towns.notes,
        categories=cats, business_types=btypes, establishments=est, stations=stations,
        officers=build_officers(spec, stations), labs=build_labs(spec),
        history=build_history(spec, est, truth), results=build_results(spec, est, truth),
        complaints=build_complaints(spec, est, towns.table), truth=truth,
        targets=targets, target_actuals=actuals,
    )
