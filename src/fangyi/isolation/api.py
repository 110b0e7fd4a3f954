"""Isolation's JSON API: each part of the work keeps its own router and schemas."""

from ninja import Router

router = Router(tags=["isolation"])
