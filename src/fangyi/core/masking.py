"""Masks personal data shown in lists: 张*三, 3501**********123X, 138****1234."""


def mask_name(name: str) -> str:
    name = name or ""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(number: str) -> str:
    """Resident IDs keep 4 + 4 of 18; shorter numbers (passports, permits) keep the first
    character and the last two, so that most of the number stays hidden whatever its length."""
    number = number or ""
    if len(number) >= 15:
        return number[:4] + "*" * (len(number) - 8) + number[-4:]
    if len(number) <= 3:
        return "*" * len(number)
    return number[:1] + "*" * (len(number) - 3) + number[-2:]


def mask_phone(phone: str) -> str:
    phone = phone or ""
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
