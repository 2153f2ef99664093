"""Plan a province: every district as one Dask task, then the provincial summary.

:func:`plan_province` is what ``riskplan plan --data PROVINCE`` runs (and a notebook calls as
``rp.plan_province``). In order: find the districts (:mod:`riskplan.province.sources`), merge each
one's configuration over the province's, check that ``OUT`` holds nothing but riskplan's folders
(before any work), sweep what an earlier interrupted run left, optionally fit the province's
category priors, run one :func:`riskplan.province.task.plan_district` per district on the
cluster with a progress bar counting districts, sweep again, and write ``OUT/province/``.

A district that fails (bad data, a wrong configuration key) fails alone: the others complete,
the summary lists it with its problems. Ctrl-C cancels the tasks not yet done and closes the
local cluster; every district folder already in place is complete (each was renamed into place
whole) and nothing half-written is left; rerunning the same command resumes, skipping the
districts whose folder is complete and current.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from distributed import Client, as_completed
from tqdm import tqdm

from riskplan.config import Config
from riskplan.errors import ConfigError, RiskplanError
from riskplan.export.headers import Lang
from riskplan.export.manifest import sha256_file
from riskplan.province.cluster import client_for
from riskplan.province.folders import PRIORS_FILE, SUMMARY, out_refusal, sweep
from riskplan.province.priors import district_counts, fit_and_write
from riskplan.province.sources import District, discover, district_config, read_toml
from riskplan.province.summary import districts_table, write_summary
from riskplan.province.task import DistrictOutcome, DistrictTask, plan_district
from riskplan.settings.province import ProvinceRules

__all__ = ["ProvinceResult", "plan_province", "province_config"]


@dataclasses.dataclass
class ProvinceResult:
    """What a province run did.

    Attributes
    ----------
    out
        The province's output folder (``out/<district>/``, ``out/province/``).
    outcomes
        One per district, sorted by name.
    table
        ``districts.csv`` as written (one row per district).
    seconds
        Wall time of the run [s].
    workers
        Workers the cluster had when the tasks were submitted.
    swept
        What was cleaned up after interrupted writes (one line each).
    priors
        The province's category priors when ``province_priors`` was on, else None.
    """

    out: Path
    outcomes: list[DistrictOutcome]
    table: pd.DataFrame
    seconds: float
    workers: int
    swept: list[str] = dataclasses.field(default_factory=list)
    priors: pd.DataFrame | None = None

    @property
    def failed(self) -> list[str]:
        """Names of the districts that failed."""
        return [o.name for o in self.outcomes if o.status == "failed"]

    def __repr__(self) -> str:
        n = {s: sum(o.status == s for o in self.outcomes) for s in ("planned", "unchanged", "failed")}
        return (f"ProvinceResult({len(self.outcomes)} districts: {n['planned']} planned, "
                f"{n['unchanged']} unchanged, {n['failed']} failed; out={self.out})")

    def summary(self) -> str:
        """The run in a few lines (what ``riskplan plan --data PROVINCE`` prints)."""
        n = {s: sum(o.status == s for o in self.outcomes) for s in ("planned", "unchanged", "failed")}
        ok = self.table[self.table["status"] != "failed"]

        def total(col: str) -> int:
            return int(pd.to_numeric(ok[col], errors="coerce").sum()) if col in ok else 0

        lines = [
            f"riskplan plan: province of {len(self.outcomes)} districts 区县 ({n['planned']} planned 已编制, "
            f"{n['unchanged']} unchanged 未变, {n['failed']} failed 失败) on {self.workers} worker(s)",
            f"  quota 任务量 {total('quota')}, allocated 分配 {total('allocated')}, delivered 可送检 "
            f"{total('delivered')}, field days 外勤组日 {total('field_days')}",
        ]
        for o in self.outcomes:
            if o.status == "failed":
                first = o.message.splitlines()[0] if o.message else "failed"
                lines.append(f"  FAILED 失败 {o.name}: {first} (see {self.out / SUMMARY / 'problems' / o.name}.csv)")
        lines.extend(f"  {s}" for s in self.swept)
        lines.append(f"  files 输出: {self.out} (summary: {self.out / SUMMARY / 'districts.csv'})")
        lines.append(f"  time: {self.seconds:.1f} s")
        return "\n".join(lines)


def province_config(config: str | os.PathLike[str] | Config | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The provincial configuration as a TOML-like dict, and the files read (path -> SHA-256).

    Raises
    ------
    ConfigError
        Naming the key (and the file) that is wrong.
    """
    if config is None:
        return {}, {}
    if isinstance(config, Config):
        return config.to_dict(), {}
    path = Path(config)
    data = read_toml(path)
    Config.from_dict(data)  # strict: a wrong key fails before any work
    return data, {str(path.absolute()): sha256_file(path)}


def plan_province(
    data: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    config: str | os.PathLike[str] | Config | None = None,
    months: str | None = None,
    seed: int | None = None,
    lang: Lang | None = None,
    rules: ProvinceRules | None = None,
    client: Client | None = None,
    progress: bool = False,
    command: Sequence[str] = (),
) -> ProvinceResult:
    """Plan every district of a province on a Dask cluster and write the provincial summary.

    Parameters
    ----------
    data
        A folder of district folders, a district folder, or several of these.
    out
        The province's output folder: ``out/<district>/`` per district, ``out/province/``.
    config
        The provincial configuration (a TOML file or a Config); each district's own
        ``config.toml`` is merged over it key by key.
    months
        ``None`` (each district's month after its reference date), ``"all"`` or ``"YYYY-MM"``.
    seed, lang
        Override every district's ``seed`` and ``export.lang``.
    rules
        Where to run (:class:`~riskplan.settings.province.ProvinceRules`).
    client
        An existing :class:`distributed.Client` to run on (``rules``' cluster settings are then
        not used).
    progress
        Show a progress bar counting districts.
    command
        The command line, recorded in the manifests.

    Returns
    -------
    ProvinceResult

    Raises
    ------
    RiskplanError
        Before any work: no district found, two of the same name, a wrong provincial
        configuration, an ``out`` holding something that is not riskplan's.
    """
    t0 = time.perf_counter()
    rules = rules or ProvinceRules()
    districts = discover([data] if isinstance(data, (str, os.PathLike)) else list(data))
    province, config_files = province_config(config)
    base = Config.from_dict(province)
    out = Path(out).absolute()
    refusal = out_refusal(out, [d.name for d in districts])
    if refusal is not None:
        raise RiskplanError(refusal)
    configs: dict[str, Config] = {}
    outcomes: dict[str, DistrictOutcome] = {}
    for d in districts:
        try:
            cfg = district_config(province, d)
        except ConfigError as exc:
            outcomes[d.name] = DistrictOutcome(d.name, "failed", message=str(exc), problems=pd.DataFrame([{
                "file": str(d.config_file or ""), "row": "", "column": exc.key, "value": "",
                "message_en": str(exc), "message_zh": "配置有误", "level": "error"}]))
            continue
        if d.config_file is not None:
            config_files[str(d.config_file)] = sha256_file(d.config_file)
        if seed is not None:
            cfg = cfg.replace(seed=seed)
        if lang is not None:
            cfg = cfg.replace(export=dataclasses.replace(cfg.export, lang=lang))
        configs[d.name] = cfg
    out.mkdir(parents=True, exist_ok=True)
    swept = sweep(out)
    priors: pd.DataFrame | None = None
    priors_summary: dict[str, Any] = {}
    workers = 0
    try:
        with client_for(client, rules, len(configs)) as cl:
            workers = len(cl.scheduler_info().get("workers", {}))
            if rules.province_priors and configs:
                priors, priors_summary = _fit_priors(cl, districts, configs, out, base)
                path = str(out / PRIORS_FILE)
                configs = {k: c.replace(risk=dataclasses.replace(c.risk, category_priors=path))
                           for k, c in configs.items()}
            tasks = [DistrictTask(d.name, str(d.folder), str(out / d.name), configs[d.name].to_dict(),
                                  months, (*command, f"district={d.name}"))
                     for d in districts if d.name in configs]
            outcomes.update(_run(cl, tasks, rules, progress, len(districts) - len(tasks)))
    finally:  # after the cluster is closed (or the tasks ended): nothing is being written any more
        swept += sweep(out)
    ordered = [outcomes[d.name] for d in districts]
    extra: dict[str, Any] = {"workers": workers, "scheduler": rules.scheduler or rules.scheduler_file or "local"}
    if priors is not None:
        extra["province_priors"] = {"file": str(out / PRIORS_FILE), "sha256": sha256_file(out / PRIORS_FILE),
                                    **priors_summary}
    write_summary(out, ordered, config_toml=base.to_toml(), config_inputs=config_files,
                  folders={d.name: d.folder for d in districts}, months=months or "default",
                  command=command, extra=extra, lang=lang or base.export.lang)
    return ProvinceResult(out, ordered, districts_table(ordered), time.perf_counter() - t0, workers,
                          swept, priors)


def _fit_priors(cl: Client, districts: Sequence[District], configs: dict[str, Config], out: Path,
                base: Config) -> tuple[pd.DataFrame, dict[str, Any]]:
    names = [d.name for d in districts if d.name in configs]
    futures = [cl.submit(district_counts, str(d.folder), configs[d.name].to_dict(), key=f"riskplan-counts-{d.name}",
                         pure=False) for d in districts if d.name in configs]
    counts = dict(zip(names, cl.gather(futures)))
    return fit_and_write(counts, out / PRIORS_FILE, min_prior_size=base.risk.min_prior_size,
                         max_prior_size=max(base.risk.max_prior_size, 1000.0))


def _run(cl: Client, tasks: Sequence[DistrictTask], rules: ProvinceRules, progress: bool,
         already: int) -> dict[str, DistrictOutcome]:
    """Submit every task, collect the outcomes as they end; Ctrl-C cancels what is left."""
    bar = tqdm(total=len(tasks) + already, initial=already, desc="districts 区县", unit="district",
               disable=not progress, file=sys.stderr)
    futures = {cl.submit(plan_district, t, key=f"riskplan-plan-{t.name}-{time.time_ns()}", pure=False,
                         retries=rules.retries): t.name for t in tasks}
    done: dict[str, DistrictOutcome] = {}
    try:
        for fut in as_completed(list(futures)):
            name = futures[fut]
            try:
                done[name] = fut.result()
            except Exception as exc:  # noqa: BLE001 - retries spent: this district fails alone
                done[name] = DistrictOutcome(name, "failed", message=f"task failed after {rules.retries} "
                                             f"retries: {type(exc).__name__}: {exc}")
            bar.update()
            if done[name].status == "failed":
                bar.write(f"  {name}: failed 失败: {done[name].message.splitlines()[0]}")
    except BaseException:
        cl.cancel(list(futures))
        raise
    finally:
        bar.close()
    return done
