"""Kept so that ``from riskplan.risk.synthetic import make_synthetic`` still works.

The helper lives in :mod:`riskplan.synthetic.small`; new code imports it from
:mod:`riskplan.synthetic`.
"""

from riskplan.synthetic.small import make_synthetic

__all__ = ["make_synthetic"]
