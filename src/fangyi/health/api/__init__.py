"""Facts, statuses, zones, policies, appeals and manual decisions.

Everything goes through health.services, which checks the right to act, validates and audits;
these modules (one per resource, each with its schemas) only resolve what a body names. A
person, fact or region named in a body that the caller cannot see is an error in that field
(422), exactly like one that does not exist; an object in the URL that the caller cannot see
is 404.

Facts are posted one at a time or in batches of up to 10,000 (a screening round): a batch is
recorded whole or not at all, and each error names the item's index (`3.outcome`).
"""

# Importing each resource registers its operations on the routers, in this order.
from . import facts, status, zones, policies, appeals, decisions  # noqa: F401, I001
from .common import persons_router, router, zones_router

__all__ = ["persons_router", "router", "zones_router"]
