"""Spreadsheets the service hands out (openpyxl XLSX), built from `ledger` data only.

Like `reports` for PDFs: no database access, no Flask; each module turns a
frozen value into bytes.
"""
