"""The read side, by subject: what the API, the pages, the PDFs and the spreadsheets show.

Nothing here writes. Every public read takes the session, the actor (where
visibility matters) and the fund, and returns frozen dataclasses, so a
figure is computed once and every shell prints the same number.
"""
