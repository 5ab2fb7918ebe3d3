"""Register migration: an authority's existing CME register (a spreadsheet, or a Capita One or
Liquidlogic export) moved into cmetrack, with a column-mapping step and a code-mapping step the
officer confirms, the two-phase check and commit every import has, and an undo of a whole batch.

`rows.py` is the contract between the reading layer (`reading/`: bytes to mapped rows, no
database) and the services (`services.py`: check against the register, commit, undo).
"""
