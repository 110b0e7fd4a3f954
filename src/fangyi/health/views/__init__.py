"""Health pages: a person's colour and facts, tallies per region, zones, appeals, manual
decisions and the prevention plans, one module per resource. Reads go through restrict(); every
change through services, whose ValidationErrors are shown on the form fields they name."""

from .appeals import appeal_create, appeal_detail, appeal_list
from .decisions import decision_create, decision_list, decision_review, decision_revoke
from .persons import fact_create, person_panel
from .policies import policy_list, policy_switch, recompute_retry
from .regions import region_counts
from .zones import zone_create, zone_lift, zone_list

__all__ = [
    "appeal_create",
    "appeal_detail",
    "appeal_list",
    "decision_create",
    "decision_list",
    "decision_review",
    "decision_revoke",
    "fact_create",
    "person_panel",
    "policy_list",
    "policy_switch",
    "recompute_retry",
    "region_counts",
    "zone_create",
    "zone_lift",
    "zone_list",
]
