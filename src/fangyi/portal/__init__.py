"""Residents' side: one-time-code login, my code, declarations, people I look after."""
