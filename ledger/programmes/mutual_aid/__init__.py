"""The village mutual-aid society (村级扶贫互助社, SPEC §13): a programme kind.

A society is one village's small lender with its own book: capital by source
(fiscal money, members' shares, donations, reserves) in one bank account that
stays in the village (封闭运行), loans to members in mutual-guarantee groups
(联保小组) under the society's rules (章程), and a usage fee (占用费) instead
of interest. Modules: `chart` (its accounts), `models` (its tables),
`rules` (the pure arithmetic of fees and 封闭运行), `templates` (its
journals), `services` (its verbs), `yearend` (收益分配, dividends and
subsidies paid, write-offs against the risk reserve), `reads` (its figures),
`errors` (its refusals) and `programme` (how the registry in
`ledger.programmes` knows it).
"""
