"""People who leave: no way in for them, and their open work finds an owner (SOP §9).

- `access`: a disabled user's requests are refused, however they authenticate.
- `handover`: a disabled agent's drafts, disputes and ToDos, and a partner's user, handed over.
"""
