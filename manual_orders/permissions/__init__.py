"""Who may read or write what, judged on the row as stored, one module a kind of path.

- `records.py`: the record rules: query conditions (lists, reports, counts, child tables read
  directly) and `has_permission` (one document) for every DocType of the app;
- `fields.py`: the accountable record: every field of an order in one class (server-owned,
  workflow, operations-owned, after creation, agreed terms) and the write guards;
- `files.py`: an order's files (list, download, attach, copy);
- `follow.py`: following an order;
- `read_paths.py`: Frappe's read paths that skip permissions, closed for the app's DocTypes;
- `filters.py`: filters, sorts and group-bys on fields the reader may not read;
- `query_fields/`: `fields` in a strict grammar on every list and value path, site-wide;
- `side_doors.py`: shares, assignments, likes and comments grant nothing beyond the rules;
- `payload.py`: malformed Manual Order payloads refused before Frappe builds a document.

This package imports nothing at its top, so `query_fields/grammar.py` stays plain Python.
"""
