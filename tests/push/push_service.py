"""A Web Push service for tests, on loopback: it hands out subscriptions and checks what
the server pushes to them the way a real push service and browser would.

    push_service.py PORT

GET /subscribe/<name>?status=<code> makes a subscription: a fresh P-256 key pair and auth
secret (the browser's side, kept here) and an endpoint /push/<name> that answers <code>
(default 201). A POST there is checked: the VAPID header (RFC 8292) must carry an ES256
JWT that verifies under its k= key, with aud = this service's origin, a future exp at most
24 hours away and a sub; the body is decrypted (RFC 8291 aes128gcm, with http_ece and the
subscription's private key). GET /received lists everything received, oldest first.
Prints READY once it listens.
"""

import base64
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


PORT = int(sys.argv[1])
ORIGIN = f"http://127.0.0.1:{PORT}"
SUBSCRIPTIONS = {}
RECEIVED = []
LOCK = threading.Lock()


def check_vapid(header):
    """The VAPID header's facts, and what is wrong with it (empty: nothing)."""
    problems = []
    if not header.startswith("vapid "):
        return {}, ["not a vapid Authorization"]
    params = {}
    for part in header[len("vapid "):].split(","):
        name, _, value = part.strip().partition("=")
        params[name] = value
    token, key = params.get("t", ""), params.get("k", "")
    try:
        head_b64, claims_b64, sig_b64 = token.split(".")
        head = json.loads(b64url_decode(head_b64))
        claims = json.loads(b64url_decode(claims_b64))
    except ValueError:
        return {"k": key}, ["the token is not a JWT"]
    if head.get("alg") != "ES256":
        problems.append(f"alg {head.get('alg')!r}")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key))
    raw = b64url_decode(sig_b64)
    signature = encode_dss_signature(
        int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    )
    try:
        public.verify(signature, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        problems.append("the signature does not verify under k")
    if claims.get("aud") != ORIGIN:
        problems.append(f"aud {claims.get('aud')!r}, not {ORIGIN!r}")
    now = time.time()
    if not now < claims.get("exp", 0) <= now + 24 * 3600:
        problems.append(f"exp {claims.get('exp')!r}")
    if not claims.get("sub"):
        problems.append("no sub")
    return {"k": key, "claims": claims}, problems


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        if url.path.startswith("/subscribe/"):
            name = url.path[len("/subscribe/"):]
            status = int(parse_qs(url.query).get("status", ["201"])[0])
            private = ec.generate_private_key(ec.SECP256R1())
            public = private.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
            auth = os.urandom(16)
            with LOCK:
                SUBSCRIPTIONS[name] = {"private": private, "auth": auth, "status": status}
            body = {
                "endpoint": f"{ORIGIN}/push/{name}",
                "keys": {"p256dh": b64url(public), "auth": b64url(auth)},
            }
            self.answer(200, json.dumps(body).encode())
        elif url.path == "/received":
            with LOCK:
                self.answer(200, json.dumps(RECEIVED).encode())
        else:
            self.answer(404)

    def do_POST(self):
        name = urlparse(self.path).path[len("/push/"):]
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with LOCK:
            subscription = SUBSCRIPTIONS.get(name)
        if not self.path.startswith("/push/") or subscription is None:
            self.answer(404)
            return
        vapid, problems = check_vapid(self.headers.get("Authorization", ""))
        if self.headers.get("Content-Encoding") != "aes128gcm":
            problems.append(f"Content-Encoding {self.headers.get('Content-Encoding')!r}")
        payload = None
        try:
            plain = http_ece.decrypt(
                body,
                private_key=subscription["private"],
                auth_secret=subscription["auth"],
                version="aes128gcm",
            )
            payload = json.loads(plain)
        except Exception as error:  # noqa: BLE001 - any failure is the finding
            problems.append(f"not decrypted: {error!r}")
        record = {
            "name": name,
            "status": subscription["status"],
            "ttl": self.headers.get("TTL"),
            "urgency": self.headers.get("Urgency"),
            "vapid": vapid,
            "problems": problems,
            "payload": payload,
        }
        with LOCK:
            RECEIVED.append(record)
        self.answer(subscription["status"], b"{}")


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print("READY", flush=True)
server.serve_forever()
