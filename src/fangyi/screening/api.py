"""Mass screening's JSON API: each part of the workflow keeps its own router and schemas."""

from ninja import Router

from fangyi.screening.campaigns import api as campaign_api
from fangyi.screening.coverage import api as coverage_api
from fangyi.screening.lab import api as lab_api
from fangyi.screening.sampling import api as sampling_api

router = Router(tags=["screening"])
router.add_router("", campaign_api.router)
router.add_router("", sampling_api.router)
router.add_router("", lab_api.router)
router.add_router("", coverage_api.router)
