"""Errors and warnings of the risk stage."""

from __future__ import annotations

from riskplan.errors import RiskplanError


class RiskInputError(RiskplanError, ValueError):
    """Input to the risk stage is malformed (negative counts, ``y > n``, unknown codes, missing columns).

    The message names the table, the column and (where there are any) a few offending values.
    """


class FlatLikelihoodWarning(RuntimeWarning):
    """The beta-binomial likelihood is flat in the prior sample size ``alpha + beta``.

    Happens when the groups show (nearly) no extra-binomial variation, with a single group, or
    when every count is zero: the estimate is then held at the configured cap on ``alpha + beta``
    (complete pooling) instead of running off to infinity.
    """
