#!/usr/bin/env python3
"""A partial LHS server behind the stdio shim, protocol 2 (adapters/SHIM.md "Conversations").

Standard library only. It does the first step of the handshake -- validates the client's hello and answers with a
mirror (version, encoding, features, max_frame_bytes, nonce), or with the error frame for an unknown major or no
common encoding -- and declares everything after that unimplemented: the seal needs Ed25519, which Python's
standard library does not have. The suite reports those cases `unimplemented`, never `fail`:

    conformance run --spec lhs --target "stdio:python3 adapters/examples/lhs_shim.py"
"""
import base64
import json
import os
import re
import sys

VERSION = "0.1"
ENCODINGS = ["json", "cbor"]
FEATURES = ["ltp", "lss", "telemetry"]
MAX_FRAME_BYTES = 65536
VERSION_RE = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?$")

state = {}  # conn -> "await_hello" | "done"


def send(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def unimplemented(conn, feature):
    send({"event": "unimplemented", "conn": conn, "feature": feature})
    state[conn] = "done"


def reject(conn, code, detail):
    send({"event": "frame", "conn": conn, "text": json.dumps({"step": "error", "code": code, "detail": detail})})
    send({"event": "close", "conn": conn, "code": 1008, "reason": code})
    state[conn] = "done"


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate member")
    return dict(pairs)


def valid_hello(h):
    """The required fields with their types; anything less is left to a fuller implementation."""
    def strings(v):
        return isinstance(v, list) and all(isinstance(x, str) for x in v)
    return (isinstance(h, dict) and h.get("step") == "hello"
            and isinstance(h.get("lri_version"), str) and VERSION_RE.match(h["lri_version"])
            and strings(h.get("encodings")) and strings(h.get("features"))
            and type(h.get("max_frame_bytes")) is int and h["max_frame_bytes"] > 0
            and ("session" not in h or isinstance(h["session"], dict)))


def on_frame(conn, msg):
    if state.get(conn) != "await_hello":
        # The bind, its seal and the flow are not implemented here.
        if state.get(conn) == "mirrored":
            unimplemented(conn, "lhs.seal")
        return
    try:
        hello = json.loads(msg["text"], object_pairs_hook=no_duplicates) if "text" in msg else None
    except ValueError:
        hello = None
    if not valid_hello(hello):
        unimplemented(conn, "lhs.hello-validation")
        return
    if int(hello["lri_version"].split(".")[0]) != int(VERSION.split(".")[0]):
        reject(conn, "lhs.version_mismatch", "unsupported major version")
        return
    encoding = next((e for e in hello["encodings"] if e in ENCODINGS), None)
    if encoding is None:
        reject(conn, "lhs.encoding_negotiation_failed", "no common encoding")
        return
    features = []
    for f in hello["features"]:
        if f in FEATURES and f not in features:
            features.append(f)
    mirror = {"step": "mirror", "lri_version": VERSION, "encoding": encoding, "features": features,
              "max_frame_bytes": min(hello["max_frame_bytes"], MAX_FRAME_BYTES),
              "nonce": "n-" + base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")}
    send({"event": "frame", "conn": conn, "text": json.dumps(mirror, separators=(",", ":"))})
    state[conn] = "mirrored"


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        msg = json.loads(line)
        op = msg.get("op")
        if op == "hello":
            send({"id": msg["id"], "protocol": 2, "name": "lhs_shim.py (partial LHS server)", "spec": "lhs", "role": "server",
                  "features": [], "unimplemented": ["lhs.seal", "lhs.flow", "telemetry"],
                  # No seal key: the seal is unimplemented. The suite still needs one to start; this one never verifies.
                  "keys": {"seal": "00" * 32}, "observe": False})
        elif op == "open":
            state[msg["conn"]] = "await_hello"
            send({"id": msg["id"]})
        elif op == "frame":
            on_frame(msg["conn"], msg)
        elif op in ("close", "abort"):
            state.pop(msg.get("conn"), None)
        elif op == "bye":
            send({"id": msg["id"]})
            return
        elif "id" in msg:
            send({"id": msg["id"], "unimplemented": True, "feature": op})


if __name__ == "__main__":
    main()
