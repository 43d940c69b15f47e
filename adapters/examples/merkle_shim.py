#!/usr/bin/env python3
"""An example shim (adapters/SHIM.md) in plain Python: the Shard hand-off's Merkle ops, nothing else.

    conformance run --vectors --target "stdio:python3 adapters/examples/merkle_shim.py" --filter "shard/merkle#*"

Every other op is left out of the hello, so its vectors are reported `unimplemented`.
"""
import hashlib
import json
import re
import sys


def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(data):  # RFC 6962 §2.1: leaves are prefixed with 0x00, nodes with 0x01
    return sha256(b"\x00" + data)


def root(hashes):  # split at the largest power of two below n; the empty tree's head is SHA-256("")
    if not hashes:
        return sha256(b"")
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return sha256(b"\x01" + root(hashes[:k]) + root(hashes[k:]))


def verify_inclusion(leaf, index, size, proof, head):  # RFC 9162 §2.1.3.2
    if not 0 <= index < size or len(leaf) != 32 or len(head) != 32 or any(len(p) != 32 for p in proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = sha256(b"\x01" + p + r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = sha256(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == head


SEMVER = re.compile(r"v(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})")
HASH_ID = re.compile(r"mth:[0-9a-f]{64}")


def tree(hashes):
    head = root(hashes)
    return {"result": "valid", "leafHashes": [h.hex() for h in hashes], "root": head.hex(), "versionId": "mth:" + head.hex()}


def answer(r):
    op = r["op"]
    if op == "merkle.root":
        return tree([leaf_hash(bytes.fromhex(x)) for x in r["leaves"]])
    if op == "merkle.payload":
        data, size = bytes.fromhex(r["payload"]), r["chunkSize"]
        out = tree([leaf_hash(data[i:i + size]) for i in range(0, len(data), size)])
        out["chunkCount"] = len(out["leafHashes"])
        return out
    if op == "merkle.inclusion.verify":
        try:
            ok = verify_inclusion(bytes.fromhex(r["leafHash"]), r["index"], r["treeSize"],
                                  [bytes.fromhex(p) for p in r["proof"]], bytes.fromhex(r["root"]))
        except ValueError:  # a node that is not hex
            ok = False
        return {"result": "valid" if ok else "invalid"}
    if op == "shard.version-id":
        v = r["versionId"]
        if SEMVER.fullmatch(v):
            return {"result": "valid", "form": "semver"}
        if HASH_ID.fullmatch(v):
            return {"result": "valid", "form": "hash"}
        return {"result": "invalid"}
    return {"unimplemented": True}


OPS = ["merkle.root", "merkle.payload", "merkle.inclusion.verify", "shard.version-id"]

for line in sys.stdin:
    request = json.loads(line)
    if request["op"] == "hello":
        response = {"name": "example merkle shim (Python)", "protocol": 1, "ops": OPS}
    elif request["op"] == "bye":
        response = {}
    else:
        try:
            response = answer(request)
        except Exception as e:  # the shim's own failure: reported as error, never as a verdict
            response = {"error": repr(e)}
    response["id"] = request["id"]
    print(json.dumps(response), flush=True)
    if request["op"] == "bye":
        break
