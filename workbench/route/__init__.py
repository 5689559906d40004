"""Route recommendation: discovery answers + measured volumes + findings → route, reasons, costs, risks.

`recommend(answers, volumes, evidence)` is the entry point; `from_profile.route_inputs` builds the
volumes and evidence from a profile; `prices.load_prices` and `thresholds.load_thresholds` read the
editable tables (shipped JSON, overridable by a consultant's own file).
"""

from workbench.route.decision import RouteRecommendation, recommend
from workbench.route.inputs import DataEvidence, DiscoveryAnswers, MeasuredVolumes, TaxProfile
from workbench.route.prices import PriceTable, load_prices
from workbench.route.thresholds import Thresholds, load_thresholds

__all__ = [
    "DataEvidence",
    "DiscoveryAnswers",
    "MeasuredVolumes",
    "PriceTable",
    "RouteRecommendation",
    "TaxProfile",
    "Thresholds",
    "load_prices",
    "load_thresholds",
    "recommend",
]
