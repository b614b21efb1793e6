"""The evidence behind the customer's yes (SOP golden rule, §4C, §8): the call it was given on,
the consent code read back, the quote's life, and the consent recorded on the order.

The plain rules are in `sop/consent.py`, `sop/evidence.py` and `sop/otp.py`; this package
reads Call Logs and settings, keeps consent codes in `Manual Order Consent Code` (an HMAC
only, System Manager reads them) and closes drafts whose quote lapsed.
"""
