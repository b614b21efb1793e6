"""What a client may put where Frappe 15 writes its words into SQL: `fields` and the like.

`grammar` is plain Python (no Frappe), tested on its own (`tests/grammar_test.py`);
`guard` applies it to every request after authentication (`auth_hooks`).
"""
