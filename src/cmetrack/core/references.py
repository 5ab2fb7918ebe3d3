"""Human references for cases and submissions, such as CME-7K3P-Q9XW.

Random, so a reference reveals nothing about how many children are on the register; drawn from
Crockford's base32 without look-alike letters, because references are read out on the phone.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def random_reference(prefix: str) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{prefix}-{body[:4]}-{body[4:]}"
