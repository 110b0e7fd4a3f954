"""What the enterprises' tests and the scope world share: valid credit codes."""

from stdnum.cn import uscc


def credit_code(serial: int) -> str:
    """A valid unified social credit code (统一社会信用代码) of a Fuzhou company, by serial."""
    body = f"91350100{serial:09d}"
    return body + uscc.calc_check_digit(body)
