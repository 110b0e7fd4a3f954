"""The hotline's part of the scope world: the operator answers for the side's city."""

from fangyi.hotline.area import OPERATOR

ROLES = {OPERATOR: "city"}
