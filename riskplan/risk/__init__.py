"""Risk scores per stratum (township x business type x food category).

Unqualified rates are estimated with hierarchical beta-binomial shrinkage (empirical Bayes over
district -> category -> category x business type -> stratum), recent results weigh more
(half-life), and the rate is combined with exposure, hazard severity and modifiers into the
allocation's risk ``weight``. Every parameter lives in :class:`RiskRules`.
"""

from riskplan.risk.backtest import BacktestResult, backtest
from riskplan.risk.betabinom import BetaBinomialFit, fit_beta_binomial
from riskplan.risk.errors import FlatLikelihoodWarning, RiskInputError
from riskplan.risk.explain import explain
from riskplan.risk.pooling import partial_pool
from riskplan.risk.recency import half_life_weights
from riskplan.risk.score import score
from riskplan.settings.risk import RiskRules

__all__ = [
    "BacktestResult",
    "BetaBinomialFit",
    "FlatLikelihoodWarning",
    "RiskRules",
    "RiskInputError",
    "backtest",
    "explain",
    "fit_beta_binomial",
    "half_life_weights",
    "partial_pool",
    "score",
]
