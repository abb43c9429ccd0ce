"""The OpenAPI surface proven by a generated client.

Usage: openapi_client.py <base url> <work dir>
Fetches the live spec, validates it with openapi-spec-validator, generates a Python client
with openapi-python-client, then uses only that client to register, log in, create a
room, send a message, upload a file, search, and read the history. Driven by
tests/api/openapi_client.rs against the real server.
"""

import importlib
import io
import json
import subprocess
import sys
from pathlib import Path

import httpx
from openapi_spec_validator import validate

BASE, WORK = sys.argv[1], Path(sys.argv[2])
PASSWORD = "correct horse battery"


def check(condition, message):
    if not condition:
        raise SystemExit(f"FAILED: {message}")


spec = httpx.get(f"{BASE}/api/openapi.json", timeout=30).json()
validate(spec)
print("spec valid")

spec_path = WORK / "openapi.json"
spec_path.write_text(json.dumps(spec))
package = WORK / "anjoman_client"
generator = Path(sys.executable).with_name("openapi-python-client")
run = subprocess.run(
    [str(generator), "generate", "--path", str(spec_path), "--output-path", str(package),
     "--meta", "none", "--overwrite"],
    capture_output=True, text=True, check=False,
)
check(run.returncode == 0, f"generation failed:\n{run.stdout}\n{run.stderr}")
# Every operation must become a function: a warning means an endpoint or schema was dropped.
skipped = [line for line in run.stdout.splitlines() + run.stderr.splitlines()
           if "will not be generated" in line or "Unable to process schema" in line]
check(not skipped, f"the generator dropped parts of the spec: {skipped}")
sys.path.insert(0, str(WORK))


def module(name):
    return importlib.import_module(f"anjoman_client.{name}")


client_mod = module("client")
models = module("models")
types = module("types")

anonymous = client_mod.Client(base_url=BASE)
register = module("api.auth.auth_register")
resp = register.sync_detailed(client=anonymous, body=models.RegisterRequest(
    username="پریا", password=PASSWORD, display_name="Pariya"))
check(resp.status_code == 201, f"register: {resp.status_code} {resp.content!r}")

login = module("api.auth.auth_login").sync(
    client=anonymous, body=models.LoginRequest(username="پریا", password=PASSWORD))
check(isinstance(login, models.TokenResponse), f"login: {login}")
check(login.user.username == "پریا", "login names the user")
authed = client_mod.AuthenticatedClient(base_url=BASE, token=login.access_token)

room = module("api.rooms.rooms_create").sync(client=authed, body=models.RoomCreate(
    name="Client room", topic="made by a generated client", visibility=models.RoomVisibility.PUBLIC))
check(isinstance(room, models.RoomView), f"room: {room}")

sent = module("api.rooms.rooms_message_send").sync(
    room.id, client=authed, body=models.MessageCreate(body="hello from the generated client, سلام"))
check(isinstance(sent, models.MessageView), f"send: {sent}")

upload = module("api.files.files_upload").sync(client=authed, body=models.FilesUploadBody(
    room_id=room.id,
    file=types.File(payload=io.BytesIO(b"notes from the client\n"), file_name="یادداشت.txt",
                    mime_type="text/plain"),
    caption="the notes",
))
check(isinstance(upload, models.FileUploaded), f"upload: {upload}")
check(upload.file.name == "یادداشت.txt", f"file name kept: {upload.file.name}")

results = module("api.search.search_messages").sync(client=authed, q="سلام")
check(isinstance(results, models.SearchResults), f"search: {results}")
check([hit.message.id for hit in results.hits] == [sent.id], f"search hits: {results.hits}")
by_name = module("api.search.search_messages").sync(client=authed, q="یادداشت")
check(len(by_name.hits) == 1, "a file name is found")

history = module("api.rooms.rooms_messages").sync(room.id, client=authed)
check(isinstance(history, list), f"history: {history}")
bodies = [m.body for m in history]
check(bodies[-2:] == ["hello from the generated client, سلام", "the notes"], f"history: {bodies}")
check(history[-1].attachments[0].name == "یادداشت.txt", "the attachment is in the history")

# An error comes back as the documented problem document.
bad = module("api.rooms.rooms_message_send").sync_detailed(
    room.id, client=authed, body=models.MessageCreate(body=""))
check(bad.status_code == 422 and isinstance(bad.parsed, models.Problem), f"problem: {bad}")
check(bad.parsed.code == "message.body_empty", f"problem code: {bad.parsed.code}")
print("openapi client ok")
