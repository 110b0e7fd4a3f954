"""Demo notices: the demo street officer publishes one notice to the first community asking
residents to confirm (it shows on the first screen of their portal),
and keeps a draft of another for the first grid. Through the services as the officer; the
SMS for residents without the portal are queued as a published notice's are. Made once:
nothing is added while the demo notices exist.
"""

import dataclasses

from django.db import transaction

from fangyi.accounts.models import User
from fangyi.core import permissions
from fangyi.notices import services
from fangyi.notices.models import Notice
from fangyi.regions.models import Level

from .staff import _first_region

PUBLISHED = (
    "关于开展全员核酸检测的通知",
    "本周六 7:30 至 11:30 在社区广场开展全员核酸检测，请居民携带身份证或健康码，"
    "保持一米间距，全程佩戴口罩。行动不便的老人请联系网格员预约上门采样。",
)
DRAFT = (
    "第一网格停水通知",
    "因管网检修，下周二 9:00 至 15:00 停水，请提前储水。",
)


@dataclasses.dataclass
class NoticeSeed:
    published: int
    drafts: int
    sms_queued: int


def seed_notices() -> NoticeSeed:
    """Publishes the demo notice and writes the draft once. Needs the demo city and officer."""
    officer = User.objects.get(username=permissions.OFFICER)
    community = _first_region(Level.COMMUNITY)
    grid = _first_region(Level.GRID)
    demo = Notice.objects.filter(created_by=officer, title__in=[PUBLISHED[0], DRAFT[0]])
    if not demo.exists():
        with transaction.atomic():
            notice = services.create_notice(
                actor=officer,
                title=PUBLISHED[0],
                body=PUBLISHED[1],
                regions=[community],
                ask_confirm=True,
            )
            services.publish_notice(actor=officer, notice=notice)
            services.create_notice(actor=officer, title=DRAFT[0], body=DRAFT[1], regions=[grid])
        services.queue_sms(notice_id=notice.pk)
    return NoticeSeed(
        published=demo.filter(state="published").count(),
        drafts=demo.filter(state="draft").count(),
        sms_queued=sum(demo.values_list("sms_queued", flat=True)),
    )
