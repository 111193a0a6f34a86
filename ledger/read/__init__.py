"""The read side, by subject: what the API, the pages, the PDFs and the spreadsheets show.

Nothing here writes. Every public read takes the session, the actor (where
visibility matters) and the fund, passes the one gate in `access`, and
returns frozen dataclasses, so a figure is computed once and every shell
prints the same number:

- `access`: the fund gate, a township officer's confinement, county-wide reports;
- `books`: balances, account statements, the trial balance, sub-ledgers, fen sums;
- `journals`: journals and voucher prints;
- `figures`: a loan's figures, schedule and settlements as of a date;
- `loans`: loan lists, a loan's view and statement, the three-line report;
- `fund`: the fund summary, aging, recovery table, township positions and statements;
- `guarantees`: liaisons' exposure, guarantee calls and salary deductions;
- `disasters`, `proposals`, `setup`: those records as listed and viewed;
- `plans`, `visits`, `inspections`, `outcomes`: fund plans, follow-up visits,
  inspections and recalls, and households' incomes against the poverty line;
- `listing`: a long list the database counts and pages, its rows typed.

This package imports none of its modules itself: services import `books` and
`figures`, which must not pull in the reads that import services.
"""
