"""Settings of a province run: where the districts' tasks run (``riskplan plan --data PROVINCE``).

Not a section of a district's configuration: how many workers plan the districts changes no
district's plan, so these settings are kept out of the configuration each district is planned
(and resumed) with. The command line sets them with ``--workers``, ``--threads-per-worker``,
``--memory-limit``, ``--retries``, ``--scheduler``, ``--scheduler-file`` and
``--province-priors``; a notebook passes a :class:`ProvinceRules`.
"""

from __future__ import annotations

import dataclasses
import re

from riskplan._settings import check, check_range

_MEMORY = re.compile(r"(auto|0|\d+(\.\d+)?\s*(B|kB|KB|KiB|MB|MiB|GB|GiB|TB|TiB))", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class ProvinceRules:
    """Where and how the districts of a province are planned.

    Attributes
    ----------
    workers
        Worker processes of the local Dask cluster; 0 sizes it to the machine (one per CPU
        core available to this process). Ignored with ``scheduler`` or ``scheduler_file``.
        Range: [0, 4096].
    threads_per_worker
        Threads per worker process [-]. One district is planned by one thread; the solvers hold
        Python's GIL for part of the time, so processes scale better than threads.
        Range: [1, 256].
    memory_limit
        Memory limit per worker (Dask's notation: ``"4GiB"``, ``"2.5GB"``), ``"auto"`` (the
        machine's memory shared equally between the workers) or ``"0"`` (no limit). A worker
        above 95 % of it is restarted by its nanny and its task retried elsewhere.
    retries
        How many times a district's task is run again after an unexpected error (a full disk,
        a lost connection) [-]. A district whose data or configuration is wrong is not retried:
        it fails at once with its problems. A worker that dies is replaced and its task rerun
        by the scheduler whatever this says (up to Dask's ``allowed-failures``, 3 by default).
        Range: [0, 100].
    scheduler
        Address of an existing Dask scheduler (``tcp://host:8786``); empty: a local cluster.
    scheduler_file
        Path of an existing Dask scheduler's file (``dask scheduler --scheduler-file PATH``);
        empty: none.
    province_priors
        Let each district's category priors borrow from the province: a category rate fitted
        once over every district's history (``OUT/category_priors.csv``) replaces the
        district's own mean as the parent of its category rates (``risk.category_priors``).
    """

    workers: int = 0
    threads_per_worker: int = 1
    memory_limit: str = "auto"
    retries: int = 2
    scheduler: str = ""
    scheduler_file: str = ""
    province_priors: bool = False

    def __post_init__(self) -> None:
        check_range(self.workers, "province.workers", "[0, 4096]")
        check_range(self.threads_per_worker, "province.threads_per_worker", "[1, 256]")
        check_range(self.retries, "province.retries", "[0, 100]")
        check(bool(_MEMORY.fullmatch(self.memory_limit.strip())), "province.memory_limit",
              f"must be 'auto', '0' or a size such as '4GiB', got {self.memory_limit!r}")
        check(not (self.scheduler and self.scheduler_file), "province.scheduler",
              "give a scheduler address or a scheduler file, not both")
        check(not self.scheduler or "://" in self.scheduler or ":" in self.scheduler,
              "province.scheduler", f"must be an address such as tcp://host:8786, got {self.scheduler!r}")

    @property
    def local(self) -> bool:
        """True when the run starts its own local cluster (no scheduler given)."""
        return not (self.scheduler or self.scheduler_file)
