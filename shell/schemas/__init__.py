"""Marshmallow schemas of the API, one module per resource family.

Input schemas (``...In``, ``...Filter``) check syntax only: types, formats,
amounts as two-decimal strings (`shell.fields.Amount`), real dates
(`shell.fields.Date`), no unknown fields. Whether a township, loan or batch
exists, and every business rule, is the services' job. Output schemas
(``...Out``) dump the services' and queries' results: amounts as strings with
two decimals, dates ISO 8601.
"""
