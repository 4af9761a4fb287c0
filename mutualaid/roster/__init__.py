"""Work-unit roster import (单位统一参保): a mutual-aid officer uploads a roster (XLSX or CSV: name, resident
ID, phone, shares) for a grassroots union in their subtree; a Celery task checks every row and writes a
preview and an error report; nothing is written until the officer confirms, then a second task writes
every member, enrolment and service record in one transaction, exactly once.

- reading.py     the stored file, row by row (python-calamine for XLSX, csv for CSV)
- validation.py  the checks, row by row and in batches against the database
- report.py      the error report (CSV through portal.exports; resident IDs masked)
- writing.py     the bulk writes of the commit (pending members, enrolments, service records)
- services.py    upload, validate, confirm, commit, purge (every write)
- selectors.py   reads for staff: one import in scope, its progress
- api.py         the staff API (/api/v1/staff/rosters/)

Privacy: a resident ID exists in clear only in the uploaded file (private storage, deleted after the
import or after ROSTER_FILE_RETENTION_DAYS); the database, task arguments, logs and the error report see
its keyed hash and last four characters only.

Pending members: a roster row whose ID matches no member creates a member in the roster's union with
verification "pending" (the union verifies them as usual) and a placeholder account that cannot sign in
(email `pending-r<import>-<row>@roster.invalid`, unusable password; the phone from the roster when no
other account uses it).
"""
