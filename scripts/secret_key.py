#!/usr/bin/env python
"""Print the secret key of the local demo (`make run`), made once and kept in var/run/secret_key.

A fixed key in the repository would let anyone forge sessions of a demo reachable on the network;
a new key at every start would log everyone out.
"""

import secrets
from pathlib import Path

path = Path(__file__).resolve().parent.parent / "var" / "run" / "secret_key"
if not path.exists() or not path.read_text().strip():
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(secrets.token_urlsafe(50))
    path.chmod(0o600)
print(path.read_text().strip())
