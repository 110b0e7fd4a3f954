"""Venues and their place codes, checkpoint scans, residents' check-ins."""
