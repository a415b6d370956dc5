"""An app written for nginx: it reads the card holder from the X-Client header, which nginx
filled with `proxy_set_header X-Client $ssl_client_s_dn;`, and pulls GN and SN out of the DN.

eidgate sends the same header byte for byte with `nginx_s_dn = "X-Client"`, so this app runs
behind eidgate unchanged. Run it with: python3 app.py --port 5000

The header is only trustworthy when nothing but eidgate (or nginx) can reach the app; see the
contract-app example for the signed alternative.
"""

import argparse
import string

from flask import Flask, request
from markupsafe import escape

app = Flask(__name__)


def parse_rfc2253(dn):
    """[(type, value)] of an RFC 2253 DN as nginx prints it.

    nginx (OpenSSL) escapes `,+"\\<>;` and edge spaces with a backslash, and writes every byte
    of a non-ASCII letter as `\\XX` (`\\C3\\95` is the UTF-8 of Õ), so values are collected as
    bytes and decoded as UTF-8 at the end. Values written as `#hex` (attribute types OpenSSL
    does not know) are returned as they stand.
    """
    attributes, name, value = [], None, bytearray()
    raw = dn.encode("ascii")
    i = 0
    while i < len(raw):
        char = raw[i : i + 1]
        if char == b"\\":
            pair = raw[i + 1 : i + 3].decode("ascii")
            if len(pair) == 2 and all(c in string.hexdigits for c in pair):
                value.append(int(pair, 16))
                i += 3
            else:
                value += raw[i + 1 : i + 2]
                i += 2
            continue
        if name is None and char == b"=":
            name, value = value.decode("ascii"), bytearray()
        elif char in (b",", b"+"):
            attributes.append((name, value.decode("utf-8")))
            name, value = None, bytearray()
        else:
            value += char
        i += 1
    if name is not None:
        attributes.append((name, value.decode("utf-8")))
    return attributes


@app.route("/")
def greeting():
    dn = request.headers.get("X-Client")
    if not dn:
        return "<p>Please sign in with your ID-card.</p>", 401
    fields = dict(parse_rfc2253(dn))
    name = " ".join(part for part in (fields.get("GN"), fields.get("SN")) if part)
    return f"<p>Tere, {escape(name)}!</p>"


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5000)
    app.run(host="127.0.0.1", port=parser.parse_args().port)
