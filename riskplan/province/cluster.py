"""The Dask cluster the districts run on: a local one sized to the machine, or an existing one.

By default a :class:`distributed.LocalCluster` of worker processes (one per CPU core available,
one thread each, the machine's memory shared between them) is started for the run and closed at
its end. With ``scheduler`` (``tcp://host:8786``) or ``scheduler_file`` the run connects to a
cluster a site started itself (``dask scheduler`` / ``dask worker``, dask-jobqueue on SLURM or
PBS, dask-kubernetes: see ``docs/province.md``); its workers need riskplan installed and the
data and output folders at the same paths.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator

from distributed import Client, LocalCluster

from riskplan.errors import RiskplanError
from riskplan.settings.province import ProvinceRules

__all__ = ["available_cores", "client_for", "open_client", "worker_count"]


def available_cores() -> int:
    """CPU cores this process may use (its affinity mask where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def worker_count(rules: ProvinceRules, districts: int) -> int:
    """Workers of the local cluster: ``rules.workers`` or the cores, never more than the districts."""
    wanted = rules.workers or available_cores()
    return max(1, min(wanted, districts))


@contextlib.contextmanager
def open_client(rules: ProvinceRules, districts: int) -> Iterator[Client]:
    """A Dask client for the run, closed (with the local cluster it started) at the end.

    Parameters
    ----------
    rules
        Where to run (:class:`~riskplan.settings.province.ProvinceRules`).
    districts
        Number of tasks: a local cluster gets no more workers than that.

    Raises
    ------
    RiskplanError
        When an existing scheduler cannot be reached (its address or file is named).
    """
    if not rules.local:
        where = rules.scheduler or f"the scheduler file {rules.scheduler_file}"
        try:
            client = (Client(rules.scheduler, timeout="20s") if rules.scheduler
                      else Client(scheduler_file=rules.scheduler_file, timeout="20s"))
        except (OSError, TimeoutError, ValueError) as exc:
            raise RiskplanError(f"cannot reach the Dask scheduler at {where}: {exc} / 无法连接 Dask 调度器") from None
        with client:
            yield client
        return
    memory: str | int = rules.memory_limit.strip()
    memory = 0 if memory == "0" else memory
    cluster = LocalCluster(
        n_workers=worker_count(rules, districts), threads_per_worker=rules.threads_per_worker,
        processes=True, memory_limit=memory, dashboard_address=":0",
        silence_logs=logging.ERROR,  # the run prints its own progress; worker chatter is noise
    )
    try:
        with Client(cluster) as client:
            yield client
    finally:
        cluster.close()


@contextlib.contextmanager
def client_for(client: Client | None, rules: ProvinceRules, districts: int) -> Iterator[Client]:
    """``client`` when one is given (left open), else :func:`open_client` for the run."""
    if client is not None:
        yield client
        return
    with open_client(rules, districts) as own:
        yield own
