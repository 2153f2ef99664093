"""Routing settings (TOML section ``routing``): :class:`RoutingRules`."""

from __future__ import annotations

import dataclasses
from typing import Any

from riskplan._settings import check, check_range
from riskplan.timeofday import parse_hhmm, parse_windows


def _default_windows() -> dict[str, tuple[str, ...]]:
    # keyed by business-type role (riskplan.roles); a configuration may add codes
    return {
        # wholesale markets trade overnight: sample at dawn
        "wholesale market": ("04:30-07:30",),
        # wet markets are busiest, and freshest, early in the morning
        "wet market": ("05:30-10:00",),
        "shop": ("08:30-17:30",),
        # restaurants and eateries: outside the meal peaks (11:30-13:00, after 17:30)
        "restaurant": ("09:00-11:30", "13:00-17:30"),
        "street vendor": ("08:30-10:30", "14:00-17:00"),
        # canteens: before and after the lunch service (kindergartens: after the nap)
        "school canteen": ("08:30-10:30", "13:00-15:30"),
        "kindergarten canteen": ("08:30-10:30", "14:30-16:00"),
        "work canteen": ("08:30-11:00", "13:30-16:30"),
        "site canteen": ("08:30-10:30", "13:30-16:30"),
        "elderly canteen": ("08:30-10:30", "14:00-16:30"),
        "central kitchen": ("08:30-10:30", "13:30-16:30"),
        "default": ("08:30-17:30",),
    }


def _default_speeds() -> dict[str, float]:
    return {"urban": 25.0, "rural": 40.0, "mountain": 30.0}


@dataclasses.dataclass(frozen=True)
class RoutingRules:
    """How daily inspection routes are built (TOML section ``routing``).

    Attributes
    ----------
    windows
        Business-type role or code -> visit windows ``"HH:MM-HH:MM"`` (several per day allowed),
        intersected with each shop's opening hours. A business type takes its code's entry, else
        that of the first of its roles that has one, else ``default``.
    day_start, day_end
        Team working hours ``HH:MM``.
    early_start
        Earliest start ``HH:MM`` on market days and on days with a visit of ``early_start_types``.
    early_start_types
        Business types whose visits allow the early start: roles or codes (default wholesale
        and wet markets).
    max_shift_minutes
        Longest working day, start to end of the route [min].
        Range: [1, 1440].
    service_base_minutes
        Fixed service time of a visit [min].
        Range: [0, 480].
    service_per_sample_minutes
        Extra service time per sample taken [min].
        Range: [0, 240].
    detour_factor
        Road distance / great-circle distance [-], typically 1.3-1.4.
        Range: [1, 3].
    speeds
        Mean driving speed by township area type [km/h] (``urban``, ``rural``, ``mountain``).
        Range: (0, 200] (each value).
    cold_box_samples
        Perishable samples one team's cold box holds [samples].
        Range: [1, 1000].
    max_samples_per_team_day
        All samples (perishable or not) one team takes in a day [samples].
        Range: [1, 1000].
    school_day_types
        Business types visited only on school days (``calendar.school_terms``): roles or codes
        (default school and kindergarten canteens).
    lab_id
        Lab receiving the samples; empty: every lab of the table, the month assignment choosing
        each team-day's lab with the labs' capacities in mind, not only by distance.
    pack_days
        Each team-day a team goes out costs the month assignment a fixed outing (about an hour), so
        visits gather on fuller field days; False drops that cost (more, shorter field days).
    day_fill
        Share of a team-day's working minutes the month assignment plans, counting each visit
        as its service plus the round trip from the station [-]; the rest is slack for the
        route's real order and for visits moved in later.
        Range: [0.1, 1].
    retry_days
        How many other team-days of each station (other days and teams of its station, then
        the nearest station's teams) a visit the day's route could not take is offered to
        before it is reported.
        Range: [0, 31].
    field_days_per_week
        Most field days a team goes out in one calendar week (Monday-Sunday).
        Range: [1, 7].
    min_gap_days
        Smallest gap between two field days of one team, in working days: 1 allows consecutive
        working days, 2 leaves at least one working day between them.
        Range: [1, 10].
    overnight_hold_hours
        Category code (or ``"*"`` for every category) -> the longest a perishable sample of it may
        be held in the station's cold storage [h], from the end of the visit to the next working
        day's lab intake. A perishable visit that cannot reach the lab before the cut-off the
        same day may then be held overnight when every perishable category it samples is listed
        and the longest possible hold is within the limit. Empty (default): never held.
        Range: (0, 168] (each value).
    assign_effort
        Search effort of the month assignment (CP-SAT deterministic time per month model, about
        seconds on a quiet core), spent improving the greedy assignment it starts from; the search
        is single-threaded and reproducible. Measured on Ouhai's year: at the default 0.1 the
        objective is within 1 % of the former default (2.0, with CP-SAT's presolve); raise it for
        a large month.
        Range: [0.1, 600].
    drop_penalty
        Cost of leaving a visit out of a day [s of travel]; kept far above any route cost.
        Range: [1e6, 1e12].
    solution_limit
        Solutions the guided local search may visit per day model (deterministic budget).
        Range: [1, 1e6].
    first_solution
        First-solution strategies tried in order until one succeeds.
    travel_matrix
        CSV of travel times between places (long ``from_id, to_id, minutes[, km]`` or square),
        e.g. from a road network; pairs it lists replace the great-circle estimate. A relative
        path is taken from the dataset folder. Empty: great-circle distance x ``detour_factor``
        at ``speeds``.
    time_limit_s
        Wall-clock limit per station-day model [s]. 0 (default) keeps the deterministic search
        budget; a limit makes routes depend on the machine's speed, and the plan says so.
        Range: [0, 3600].
    """

    windows: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=_default_windows)
    day_start: str = "08:30"
    day_end: str = "17:30"
    early_start: str = "05:30"
    early_start_types: tuple[str, ...] = ("wholesale market", "wet market")
    max_shift_minutes: int = 540
    service_base_minutes: float = 15.0
    service_per_sample_minutes: float = 20.0
    detour_factor: float = 1.35
    speeds: dict[str, float] = dataclasses.field(default_factory=_default_speeds)
    cold_box_samples: int = 12
    max_samples_per_team_day: int = 20
    school_day_types: tuple[str, ...] = ("school canteen", "kindergarten canteen")
    lab_id: str = ""
    pack_days: bool = True
    day_fill: float = 0.7
    retry_days: int = 31
    field_days_per_week: int = 3
    min_gap_days: int = 1
    overnight_hold_hours: dict[str, float] = dataclasses.field(default_factory=dict)
    assign_effort: float = 0.1
    drop_penalty: int = 10_000_000
    solution_limit: int = 100
    first_solution: tuple[str, ...] = (
        "PARALLEL_CHEAPEST_INSERTION",
        "LOCAL_CHEAPEST_INSERTION",
        "SAVINGS",
    )
    travel_matrix: str = ""
    time_limit_s: float = 0.0

    def __post_init__(self) -> None:
        for key in ("day_start", "day_end", "early_start"):
            try:
                parse_hhmm(getattr(self, key))
            except Exception:
                check(False, f"routing.{key}", f"must be HH:MM, got {getattr(self, key)!r}")
        check(
            parse_hhmm(self.day_start) < parse_hhmm(self.day_end),
            "routing.day_end",
            "must be after routing.day_start",
        )
        check(
            parse_hhmm(self.early_start) <= parse_hhmm(self.day_start),
            "routing.early_start",
            "must not be after routing.day_start",
        )
        for bt, wins in self.windows.items():
            try:
                parse_windows(wins)
            except Exception as exc:
                check(False, f"routing.windows.{bt}", str(exc))
        check(self.max_shift_minutes > 0, "routing.max_shift_minutes", "must be positive")
        check(self.service_base_minutes >= 0, "routing.service_base_minutes", "must be >= 0")
        check(self.service_per_sample_minutes >= 0, "routing.service_per_sample_minutes", "must be >= 0")
        check(1.0 <= self.detour_factor <= 3.0, "routing.detour_factor", "must be between 1 and 3")
        check(len(self.speeds) > 0, "routing.speeds", "needs at least one area type")
        for k, v in self.speeds.items():
            check(v > 0, f"routing.speeds.{k}", "must be positive")
        check(self.cold_box_samples >= 1, "routing.cold_box_samples", "must be >= 1")
        check(self.max_samples_per_team_day >= 1, "routing.max_samples_per_team_day", "must be >= 1")
        check(0.1 <= self.day_fill <= 1.0, "routing.day_fill", "must be between 0.1 and 1")
        check(self.retry_days >= 0, "routing.retry_days", "must be >= 0")
        check(self.drop_penalty >= 1_000_000, "routing.drop_penalty", "must be >= 1000000")
        check(self.solution_limit >= 1, "routing.solution_limit", "must be >= 1")
        check(len(self.first_solution) > 0, "routing.first_solution", "needs at least one strategy")
        check(self.time_limit_s >= 0, "routing.time_limit_s", "must be >= 0 (0: deterministic budget)")
        # the documented ranges (Range: in the Attributes above)
        check_range(self.max_shift_minutes, "routing.max_shift_minutes", "[1, 1440]")
        check_range(self.service_base_minutes, "routing.service_base_minutes", "[0, 480]")
        check_range(self.service_per_sample_minutes, "routing.service_per_sample_minutes", "[0, 240]")
        check_range(self.detour_factor, "routing.detour_factor", "[1, 3]")
        check_range(self.speeds, "routing.speeds", "(0, 200]")
        check_range(self.cold_box_samples, "routing.cold_box_samples", "[1, 1000]")
        check_range(self.max_samples_per_team_day, "routing.max_samples_per_team_day", "[1, 1000]")
        check_range(self.day_fill, "routing.day_fill", "[0.1, 1]")
        check_range(self.retry_days, "routing.retry_days", "[0, 31]")
        check_range(self.drop_penalty, "routing.drop_penalty", "[1e6, 1e12]")
        check_range(self.solution_limit, "routing.solution_limit", "[1, 1e6]")
        check_range(self.time_limit_s, "routing.time_limit_s", "[0, 3600]")
        check_range(self.field_days_per_week, "routing.field_days_per_week", "[1, 7]")
        check_range(self.min_gap_days, "routing.min_gap_days", "[1, 10]")
        check_range(self.overnight_hold_hours, "routing.overnight_hold_hours", "(0, 168]")
        check_range(self.assign_effort, "routing.assign_effort", "[0.1, 600]")

    def hold_hours(self, categories: list[str]) -> float:
        """The longest overnight hold [h] allowed for a visit sampling ``categories`` (0: none).

        Every category must be allowed (by its code or ``"*"``); the smallest limit applies.
        """
        hours = [self.overnight_hold_hours.get(c, self.overnight_hold_hours.get("*", 0.0)) for c in categories]
        return float(min(hours)) if hours and all(h > 0 for h in hours) else 0.0

    def service_minutes(self, samples: int) -> int:
        """Service time of a visit taking ``samples`` samples [min], rounded up."""
        import math

        return int(math.ceil(self.service_base_minutes + self.service_per_sample_minutes * max(int(samples), 0)))

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of the settings (for RoutePlan.parameters and TOML)."""
        return dataclasses.asdict(self)
