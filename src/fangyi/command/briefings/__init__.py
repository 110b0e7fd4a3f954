"""The morning briefing (每日简报): a region's figures for a day with yesterday's change, the
trend charts, the problem list, new zones and each area's overdue items, as PDF and Word."""
