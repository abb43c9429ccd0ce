"""The deployment end to end: a client on the far side of nginx (TLS) talks to Anjoman.

Usage: e2e.py <https base> <http base> <ca certificate> <max file bytes>
Driven by tests/api/deploy.rs, which starts the server and nginx on loopback.
Checks: HTTP redirects to HTTPS; HSTS; register and log in over https://; a message sent
over wss:// comes back on another socket; a file just under the limit uploads and one just
over is refused; the per-IP login limit counts the real client however X-Forwarded-For is
spoofed, and the session records the client's address, not nginx's; text comes compressed
(brotli or gzip) exactly once, whether the app or nginx compressed it.
"""

import asyncio
import gzip
import json
import ssl
import sys
import uuid

import brotli
import httpx
import websockets

BASE, PLAIN, CA, MAX_FILE = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
PASSWORD = "correct horse battery"


def check(condition, message):
    if not condition:
        raise SystemExit(f"FAILED: {message}")


def multipart(room_id, name, data):
    boundary = "e2e" + uuid.uuid4().hex
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"room_id\"\r\n\r\n{room_id}\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    return boundary, head + data + f"\r\n--{boundary}--\r\n".encode()


async def main():
    tls = ssl.create_default_context(cafile=CA)
    async with httpx.AsyncClient(verify=tls, timeout=60) as http:
        # Plain HTTP only redirects; HTTPS carries HSTS.
        redirect = await http.get(f"{PLAIN}/healthz")
        check(redirect.status_code == 301, f"http redirects: {redirect.status_code}")
        check(redirect.headers["location"].startswith("https://"), "to https")
        health = await http.get(f"{BASE}/healthz")
        check(health.status_code == 200, "healthz over https")
        check("max-age" in health.headers.get("strict-transport-security", ""), "HSTS")

        async def register(name):
            resp = await http.post(f"{BASE}/api/v1/auth/register",
                                   json={"username": name, "password": PASSWORD})
            check(resp.status_code == 201, f"register {name}: {resp.status_code} {resp.text}")
            return resp.json()

        alice = await register("alice")
        bob = await register("bob")
        login = await http.post(f"{BASE}/api/v1/auth/login",
                                json={"username": "alice", "password": PASSWORD})
        check(login.status_code == 200, f"login: {login.text}")
        token = login.json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        rooms = (await http.get(f"{BASE}/api/v1/rooms", headers=auth)).json()
        room = rooms[0]["id"]

        # The session remembers the client's address, not nginx's (127.0.0.3).
        sessions = (await http.get(f"{BASE}/api/v1/auth/sessions", headers=auth)).json()
        current = [s for s in sessions if s["current"]][0]
        check(current["ip"] == "127.0.0.1", f"session ip is the client's: {current['ip']}")

        # wss:// through nginx: Bob hears what Alice sends.
        host = BASE.removeprefix("https://")
        async with websockets.connect(f"wss://{host}/ws", ssl=tls,
                                      additional_headers={"Authorization": f"Bearer {bob['access_token']}"}) as bob_ws, \
                websockets.connect(f"wss://{host}/ws", ssl=tls, additional_headers=auth) as alice_ws:
            for ws in (bob_ws, alice_ws):
                ready = json.loads(await asyncio.wait_for(ws.recv(), 10))
                check(ready["type"] == "ready", f"ready: {ready}")
            await bob_ws.send(json.dumps({"op": "subscribe", "ref": "s", "room_id": room}))
            while json.loads(await asyncio.wait_for(bob_ws.recv(), 10)).get("ref") != "s":
                pass
            await alice_ws.send(json.dumps({"op": "send", "ref": "m", "room_id": room,
                                            "body": "سلام over wss"}))
            while True:
                frame = json.loads(await asyncio.wait_for(bob_ws.recv(), 10))
                if frame.get("type") == "message.created":
                    check(frame["data"]["body"] == "سلام over wss", f"body: {frame}")
                    break

        # A file just under the limit passes nginx and the app; just over is refused.
        boundary, body = multipart(room, "big.txt", b"a" * (MAX_FILE - 1024))
        upload = await http.post(f"{BASE}/api/v1/files", content=body, headers={
            **auth, "Content-Type": f"multipart/form-data; boundary={boundary}"})
        check(upload.status_code == 201, f"upload near the limit: {upload.status_code} {upload.text[:200]}")
        check(upload.json()["file"]["size"] == MAX_FILE - 1024, "stored whole")
        boundary, body = multipart(room, "too-big.txt", b"a" * (MAX_FILE + 1024))
        too_big = await http.post(f"{BASE}/api/v1/files", content=body, headers={
            **auth, "Content-Type": f"multipart/form-data; boundary={boundary}"})
        check(too_big.status_code == 413, f"over the limit: {too_big.status_code}")

        # The per-IP login limit counts the real client, whatever it claims to be.
        statuses = []
        for i in range(6):
            resp = await http.post(
                f"{BASE}/api/v1/auth/login",
                json={"username": f"nobody{i}", "password": "wrong password"},
                headers={"X-Forwarded-For": f"10.9.8.{i}", "X-Real-IP": f"10.9.8.{i}"},
            )
            statuses.append(resp.status_code)
        check(statuses[:5] == [401] * 5, f"first five refused as wrong: {statuses}")
        check(statuses[5] == 429, f"sixth rate limited despite spoofed headers: {statuses}")

        # Compression through nginx: the app's own (big text: the OpenAPI document) passes through
        # untouched; small text the app leaves plain, nginx compresses (brotli included).
        # Each body is encoded once: one decoding gives the plain text.
        async def raw(path, encoding, headers=None):
            request = http.build_request("GET", f"{BASE}{path}",
                                         headers={"Accept-Encoding": encoding, **(headers or {})})
            resp = await http.send(request, stream=True)
            body = b"".join([chunk async for chunk in resp.aiter_raw()])
            await resp.aclose()
            return resp, body

        decoders = {"br": brotli.decompress, "gzip": gzip.decompress}
        history = f"/api/v1/rooms/{room}/messages?limit=1"
        plain = (await http.get(f"{BASE}{history}", headers=auth)).json()
        for path, headers, plain_below in [("/api/openapi.json", {}, None),
                                          (history, auth, 1024)]:
            for encoding in ["br", "gzip"]:
                resp, body = await raw(path, encoding, headers)
                got = resp.headers.get("content-encoding")
                check(got == encoding,
                      f"{path} {encoding} through nginx: {resp.status_code} {dict(resp.headers)}")
                check("accept-encoding" in resp.headers.get("vary", "").lower(),
                      f"{path} varies on Accept-Encoding")
                text = decoders[encoding](body).decode()
                if plain_below:
                    check(len(text) < plain_below, f"{path} is one nginx compresses: {len(text)}")
                    check(json.loads(text) == plain, f"{path} {encoding} decodes once")
                else:
                    check("openapi" in json.loads(text), f"{path} {encoding} decodes once")
    print("deploy ok")


asyncio.run(main())
