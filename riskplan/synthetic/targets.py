"""Example actual values for a plan's quantitative creation targets (``target_actuals.csv``)."""

from __future__ import annotations

import dataclasses
import io

import pandas as pd


@dataclasses.dataclass(frozen=True)
class TargetActual:
    """One example actual value: target ID, value, note and scope (None: the lead department)."""

    target_id: str
    actual: float
    note: str
    scope: str | None = None


@dataclasses.dataclass(frozen=True)
class TargetExamples:
    """The creation targets of a district and example actual values for them.

    Attributes
    ----------
    creation_targets_csv
        The ``creation_targets.csv`` file as bytes (copied verbatim into the dataset); columns
        include ``id`` and ``lead_department``.
    actuals
        Example values, in output order.
    computed
        Targets riskplan computes itself: they must not be listed.
    school_video_target
        Target measured per township from the register (school canteens with online
        open-kitchen video), or None.
    school_video_lagging
        (township code, name) of the township with one school canteen not yet online.
    """

    creation_targets_csv: bytes
    actuals: tuple[TargetActual, ...]
    computed: tuple[str, ...] = ()
    school_video_target: str | None = None
    school_video_lagging: tuple[str, str] | None = None

    def targets(self) -> pd.DataFrame:
        """The creation targets as a table (all text)."""
        return pd.read_csv(io.BytesIO(self.creation_targets_csv), dtype=str,
                           keep_default_na=False)


def build_target_actuals(examples: TargetExamples, est: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """``target_actuals.csv``: one row per example, plus the school-video target per township.

    Parameters
    ----------
    examples
        Targets and example values.
    est
        The register (school canteens per township).
    as_of
        ISO date of the values.

    Returns
    -------
    pandas.DataFrame
        ``target_id, scope, actual, as_of, note`` (all text; ``actual`` with 2 decimals).
    """
    targets = examples.targets()
    dept = dict(zip(targets["id"], targets["lead_department"], strict=True))
    schools = est[est["business_type"] == "C-SCHOOL"].groupby("township_code").size()
    rows = []
    for ex in examples.actuals:
        tid, actual, note = ex.target_id, ex.actual, ex.note
        if tid in examples.computed:
            raise ValueError(f"target {tid} is computed by riskplan; give no example value")
        scope = ex.scope if ex.scope is not None else dept[tid]
        lagging = examples.school_video_lagging if tid == examples.school_video_target else None
        if lagging is not None:
            n = int(schools.sum())
            actual = 100.0 * (n - 1) / n
            note = f"{n - 1} of {n} school canteens online; one in {lagging[1]} pending"
        rows.append({"target_id": tid, "scope": scope, "actual": f"{actual:.2f}",
                     "as_of": as_of, "note": f"synthetic example; {note}"})
        if lagging is not None:
            for code, n_t in schools.items():
                done = n_t - 1 if code == lagging[0] else n_t
                rows.append({"target_id": tid, "scope": str(code),
                             "actual": f"{100.0 * done / n_t:.2f}", "as_of": as_of,
                             "note": f"synthetic example; {done} of {n_t} school canteens online"})
    return pd.DataFrame(rows)
