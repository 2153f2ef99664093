"""Configuring riskplan for a district: check, resolve, and make a first configuration.

A configuration is checked against the data, its roles are resolved to the dataset's codes, and
``riskplan init`` makes a first configuration from a dataset.

Above :mod:`riskplan.config` (the settings assembled) and below the pipeline, which calls
:func:`prepare` first.
"""

from riskplan.configure.check import ConfigReport, check_config, format_table
from riskplan.configure.init import InitResult, init_config
from riskplan.configure.load import collect_config, read_config
from riskplan.configure.prepare import Prepared, prepare, rule_warnings

__all__ = [
    "ConfigReport",
    "check_config",
    "format_table",
    "InitResult",
    "init_config",
    "collect_config",
    "read_config",
    "Prepared",
    "prepare",
    "rule_warnings",
]
