"""An app that reads eidgate's own header contract (docs/identity-headers.md): one header per
value, percent-encoded UTF-8, and an HMAC signature that proves eidgate set them.

Run it with: EIDGATE_KEY_FILE=/etc/eidgate/identity.key python3 app.py --port 5001

With EIDGATE_KEY_FILE (the same file as eidgate's `hmac_key_file`) every request must carry a
fresh, valid signature, so forged headers are refused even when the app can be reached without
eidgate. Without it the headers are taken as they come, which is safe only when nothing but
eidgate can reach the app.
"""

import argparse
import os
import sys
from pathlib import Path

from flask import Flask, request
from markupsafe import escape

# The reader and checker live in docs/ so that the documentation shows the code that is tested.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "docs"))
from verify_identity import SIGNED_FIELDS, decode, verified_identity  # noqa: E402

app = Flask(__name__)
KEY_FILE = os.environ.get("EIDGATE_KEY_FILE")
KEY = Path(KEY_FILE).read_bytes().strip() if KEY_FILE else None
MAX_AGE_SECONDS = 60


def identity():
    if KEY is not None:
        return verified_identity(request.headers, KEY, MAX_AGE_SECONDS)
    values = {field: request.headers.get("X-Eid-" + field) for field in SIGNED_FIELDS}
    if values["identifier"] is None:
        return None
    return {field: decode(value) for field, value in values.items() if value is not None}


@app.route("/")
def greeting():
    person = identity()
    if person is None:
        return "<p>Please sign in with your ID-card.</p>", 401
    name = " ".join(person.get(field, "") for field in ("given-name", "surname")).strip()
    return (
        f"<p>Tere, {escape(name)}!</p>\n"
        f"<p>{escape(person['identifier'])}, {escape(person.get('document', '-'))}</p>"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5001)
    app.run(host="127.0.0.1", port=parser.parse_args().port)
