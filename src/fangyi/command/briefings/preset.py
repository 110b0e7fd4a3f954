"""The shipped text of the briefing: used until an admin saves their own, and offered again on
the template's page."""

# Data rather than interface: briefings are written in Chinese whatever the reader's language.
PRESET = (
    "# 总体情况\n"
    "\n"
    "{{ day }}，{{ region }}新增病例{{ figures.cases.new.value }}例"
    "（较前一日{{ figures.cases.new.change }}），"
    "其中管控中发现{{ figures.cases.controlled.value }}例，"
    "社会面发现{{ figures.cases.community.value }}例。\n"
    "\n"
    "管控区域内居民{{ figures.zones.residents.value }}人，"
    "当日新划定管控区域{{ new_zones }}个。"
    "待安置隔离人员{{ figures.orders.to_place.value }}人，"
    "超期未解除{{ figures.orders.overdue.value }}人。\n"
    "\n"
    "# 群众诉求\n"
    "\n"
    "热线待办工单{{ figures.hotline.open.value }}件，"
    "超时{{ figures.hotline.overdue.value }}件；当日问题清单{{ problems }}项。\n"
)
