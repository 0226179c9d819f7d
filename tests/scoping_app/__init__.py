"""A test-only app: a record with referrals, to test the referral exception of scoping.

The rights app (cases, referrals) builds on the same function; until then
this is the smallest real pair of models that exercises it.
"""
