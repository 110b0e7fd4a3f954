"""The prevention commitments an enterprise makes to reopen, as the 2020–2022 reopening
notices asked of employers; loaded by the migrations."""

COMMITMENTS = [
    (
        "staff-ledger",
        "建立职工健康台账，每日登记体温和健康状况",
        "Keep a staff health ledger: temperature and health recorded daily",
    ),
    (
        "code-check",
        "上岗前查验职工健康码和核酸检测结果",
        "Check every employee's health code and test result before work",
    ),
    (
        "entrance",
        "单位出入口设专人值守，扫码测温登记",
        "Staff the entrance: scan codes, take temperatures, keep a register",
    ),
    (
        "masks",
        "储备口罩、消毒液等防疫物资，职工佩戴口罩",
        "Stock masks and disinfectant; employees wear masks",
    ),
    (
        "disinfection",
        "工作场所、食堂、宿舍每日通风消毒",
        "Ventilate and disinfect workplaces, canteens and dormitories daily",
    ),
    ("distancing", "错峰上下班、分餐就餐，避免聚集", "Stagger shifts and meals; avoid gatherings"),
    (
        "isolation-room",
        "设置临时留观室，发现异常立即报告",
        "Keep a room for observation; report any symptom at once",
    ),
    ("responsible", "明确防控责任人，落实主体责任", "Name the person responsible for prevention"),
]
