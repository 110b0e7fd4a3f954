"""Printed isolation documents: the isolation notice (隔离告知书) of an open order and the
release certificate (解除隔离证明) of a released one, as A4 PDFs, each with a signed `FY1:` code
(kinds `notice` and `release`) that any checkpoint verifies offline.

A document is drawn from the order alone, so printing it again gives the same document; every
print is recorded as an access event (who printed which order's document, when).
"""
