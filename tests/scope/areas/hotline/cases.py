"""The hotline's routes: API under /api/v1/hotline."""

API: dict = {}
