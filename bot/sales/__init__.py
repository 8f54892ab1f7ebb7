"""The sales workflows: what a sales team does with the engine, over `Assistant` and the records database.

- `library`: a tenant's answer library and documents, and the tenant index built from them
- `tenant`: a folder of policies and answer libraries (or a trust pack) into a tenant
- `questionnaire`: fill a customer's questionnaire, with `row_kinds` (what each row is), `rows` (one row drafted),
  `choices` (a yes/no as the buyer's dropdown value), `flags` (what a person must decide) and `review` (the
  cells to write, a reviewer's edits back to the library)
- `threads`: chat threads kept in the records database, and an expert's reply as a library candidate
- `feedback`: helpful or not, against an answer's id

The engine (`bot`) knows nothing of these; surfaces call them, as they call `Assistant`.

>>> from bot.sales.questionnaire import fill                                          # doctest: +SKIP
>>> fill(assistant, records, Path("vendor.xlsx"), Path("filled.xlsx"), "northwind")   # doctest: +SKIP
"""
