"""Tabular exports of every list: one writer (CSV and XLSX), one response, one audit entry.

`table.py` describes an export, `writers.py` writes it, `responses.py` answers with it and
`audit.py` records it. Layer: above audit, beside notifications and uploads; it imports only
audit, core, Django and openpyxl, so every app above may use it.
"""
