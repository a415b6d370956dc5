"""Reading and checking eidgate's identity headers on the app side.

Import it (``from verify_identity import verified_identity``) or copy the two functions you
need; it uses the standard library only. See identity-headers.md beside this file for the
header contract.

    identity = verified_identity(request.headers, key, max_age_seconds=60)
    if identity is None:
        abort(401)
    print(identity["given-name"], identity["surname"])

As a command it reads a JSON list of header objects on standard input and prints ``ok`` or
``forged`` for each, which is how eidgate's tests drive it:

    python3 verify_identity.py --key-file identity.key [--now 1700000000] < cases.json
"""

import argparse
import hashlib
import hmac
import json
import sys
import time
import urllib.parse

PREFIX = "X-Eid-"
VERSION = "eidgate-identity-v1"
SIGNED_FIELDS = (
    "given-name",
    "surname",
    "identifier",
    "country",
    "document",
    "certificate-serial",
    "not-before",
    "not-after",
    "issuer",
    "certificate",
)


def decode(value):
    """One header value as text: every value is percent-encoded UTF-8."""
    return urllib.parse.unquote(value, encoding="utf-8", errors="strict")


def signed_text(headers, prefix=PREFIX):
    """The text eidgate signed, rebuilt from the headers exactly as received."""
    lines = [VERSION, "timestamp:" + headers.get(prefix + "Timestamp", "")]
    for field in SIGNED_FIELDS:
        value = headers.get(prefix + field)
        lines.append(field if value is None else field + ":" + value)
    return "\n".join(lines) + "\n"


def verified_identity(headers, key, max_age_seconds=60, now=None, prefix=PREFIX):
    """The decoded identity when the signature is right and fresh, else None.

    ``headers`` must look names up case-insensitively (Flask's ``request.headers`` does).
    ``key`` is the bytes of eidgate's ``hmac_key_file`` without surrounding whitespace.
    """
    signature = headers.get(prefix + "Signature")
    timestamp = headers.get(prefix + "Timestamp")
    if not signature or not timestamp or not timestamp.isdigit():
        return None
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > max_age_seconds:
        return None
    text = signed_text(headers, prefix).encode("latin-1")
    expected = hmac.new(key, text, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return None
    identity = {}
    for field in SIGNED_FIELDS:
        value = headers.get(prefix + field)
        if value is not None:
            identity[field] = decode(value)
    return identity


class CaseInsensitive(dict):
    """Header lookup by any case, for the command-line test driver."""

    def __init__(self, pairs):
        super().__init__((name.lower(), value) for name, value in pairs.items())

    def get(self, name, default=None):
        return super().get(name.lower(), default)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--key-file", required=True)
    parser.add_argument("--now", type=float, default=None)
    parser.add_argument("--max-age", type=int, default=60)
    args = parser.parse_args()
    with open(args.key_file, "rb") as file:
        key = file.read().strip()
    for case in json.load(sys.stdin):
        identity = verified_identity(CaseInsensitive(case), key, args.max_age, args.now)
        print("forged" if identity is None else "ok " + json.dumps(identity, ensure_ascii=False))


if __name__ == "__main__":
    main()
