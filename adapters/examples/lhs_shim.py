#!/usr/bin/env python3
"""A complete, small LHS server behind the stdio shim, protocol 2 (adapters/SHIM.md "Conversations").

Python standard library only, one file, written to be read. It plays the whole server side of LHS as
conformance/SPEC-NOTES.md ("## LHS") reads the spec:

  hello  -> validated (required fields and types, major.minor[.patch], no duplicate member names, `session` an
            object when present), answered with a mirror: the client's first encoding this server speaks, the
            requested features it supports (hello order, once each), the smaller max_frame_bytes, a fresh nonce;
  bind   -> validated (thread a UUID or ULID, auth {scheme, token} and context objects when present), answered with
            the seal: "ltp:jws:" + a detached compact JWS (EdDSA) over JCS([hello, mirror, bind, nonce]);
  flow   -> binary messages: 4-byte big-endian LCE length, LCE (JSON or CBOR), payload; each accepted frame is
            echoed unchanged;
  errors -> one error frame {"step":"error","code","detail"} and a close 1008; a peer's error frame: close 1000.

It speaks the "json" and "cbor" encodings (CBOR is only decoded: the echo needs no encoder) and grants only the
"ltp" feature: an LCE with an "lss" or "telemetry" member gets lhs.feature_not_negotiated (that such a member
"uses" its feature is the project's model-level reading). It reports the §7 telemetry hook as an `observe` event
"lhs.bind", so the run can be Ratified. No handshake timeout (no case measures one).

The Ed25519 and JCS (RFC 8785) code below is for this example only: Ed25519 follows RFC 8032 §6's reference code
and is NOT constant time; the key is a fixed demo key anyone can recompute. JCS numbers are the ECMAScript form
built from Python's shortest round-trip repr(); I-JSON input only (no duplicates, lone surrogates or non-finite
numbers).

    conformance run --spec lhs --target "stdio:python3 adapters/examples/lhs_shim.py"
    python3 adapters/examples/lhs_shim.py --self-test      # RFC 8032 test 1 and a few JCS checks
    python3 adapters/examples/lhs_shim.py --json-only      # a server without cbor (no encoding is mandatory)
"""
import base64
import datetime
import hashlib
import json
import math
import os
import re
import struct
import sys

VERSION = "0.1"
ENCODINGS = ["json", "cbor"]
FEATURES = ["ltp"]
MAX_FRAME_BYTES = 65536
HOST_LIMIT = 4 * 1024 * 1024           # any message larger than this is refused (lhs.frame_too_large), as the reference does
SESSION_SECONDS = 3600

VERSION_RE = re.compile(r"(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})(\.(0|[1-9][0-9]{0,8}))?")
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
ULID_RE = re.compile(r"[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}")   # Crockford base32, 128 bits


# ---- Ed25519 signing (RFC 8032 §6 reference code). Example only: not constant time, demo key. ----

P = 2 ** 255 - 19
Q = 2 ** 252 + 27742317777372353535851937790883648493    # the group order (RFC 8032 calls it L)
D = -121665 * pow(121666, P - 2, P) % P


def _point_add(a, b):
    """Extended homogeneous coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, x*y = T/Z."""
    e1, e2 = (a[1] - a[0]) * (b[1] - b[0]) % P, (a[1] + a[0]) * (b[1] + b[0]) % P
    c, d = 2 * a[3] * b[3] * D % P, 2 * a[2] * b[2] % P
    e, f, g, h = e2 - e1, d - c, d + c, e2 + e1
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _point_mul(s, pt):
    acc = (0, 1, 1, 0)   # the neutral element
    while s > 0:
        if s & 1:
            acc = _point_add(acc, pt)
        pt = _point_add(pt, pt)
        s >>= 1
    return acc


def _compress(pt):
    zinv = pow(pt[2], P - 2, P)
    x, y = pt[0] * zinv % P, pt[1] * zinv % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _base_point():
    y = 4 * pow(5, P - 2, P) % P
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * pow(2, (P - 1) // 4, P) % P
    if x & 1:
        x = P - x
    return (x, y, 1, x * y % P)


B = _base_point()


def _hash_int(data):
    return int.from_bytes(hashlib.sha512(data).digest(), "little")


class SigningKey:
    def __init__(self, seed):
        h = hashlib.sha512(seed).digest()
        self.a = (int.from_bytes(h[:32], "little") & ((1 << 254) - 8)) | (1 << 254)
        self.prefix = h[32:]
        self.public = _compress(_point_mul(self.a, B))

    def sign(self, msg):
        r = _hash_int(self.prefix + msg) % Q
        big_r = _compress(_point_mul(r, B))
        s = (r + _hash_int(big_r + self.public + msg) * self.a) % Q
        return big_r + s.to_bytes(32, "little")


SEAL_KEY = SigningKey(hashlib.sha256(b"adapters/examples/lhs_shim.py demo key").digest())


# ---- JSON: strict parsing (I-JSON) and JCS (RFC 8785) ----

class NotIJson(ValueError):
    pass


def parse_strict(text):
    """JSON text -> value; NotIJson for anything that is not I-JSON (RFC 7493), which the seal could not sign."""
    def members(pairs):
        obj = {}
        for name, value in pairs:
            if name in obj:
                raise NotIJson(f"duplicate member name {name!r}")
            obj[name] = value
        return obj

    def constant(name):
        raise NotIJson(f"{name} is not JSON")
    try:
        value = json.loads(text, object_pairs_hook=members, parse_constant=constant)
        jcs(value)   # lone surrogates, numbers beyond the double range
    except RecursionError:
        raise NotIJson("nested too deeply")
    except ValueError as e:   # json.JSONDecodeError and NotIJson are ValueErrors
        raise NotIJson(str(e))
    return value


def jcs_number(x):
    """ECMAScript Number::toString (RFC 8785 §3.2.2.3) of a JSON number, read as an IEEE 754 double."""
    try:
        f = float(x)
    except OverflowError:
        raise NotIJson("number beyond the double range")
    if not math.isfinite(f):
        raise NotIJson("number beyond the double range")
    if f == 0:
        return "0"    # also -0
    mantissa, _, exp = repr(abs(f)).partition("e")     # repr: the shortest digits that round-trip
    whole, _, frac = mantissa.partition(".")
    digits = whole + frac
    n = len(whole) + int(exp or 0)                    # value = 0.<digits> x 10^n
    n -= len(digits) - len(digits.lstrip("0"))
    digits = digits.strip("0")
    k = len(digits)
    sign = "-" if f < 0 else ""
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    return sign + digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))


def _jcs(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return jcs_number(v)
    if isinstance(v, str):
        # ensure_ascii=False escapes exactly what RFC 8785 §3.2.2.2 asks: \" \\ \b \f \n \r \t, other controls \u00xx
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(_jcs(x) for x in v) + "]"
    if isinstance(v, dict):
        # §3.2.3: members sorted by the UTF-16 code units of their names (big-endian bytes compare the same way)
        names = sorted(v, key=lambda name: name.encode("utf-16-be", "surrogatepass"))
        return "{" + ",".join(json.dumps(name, ensure_ascii=False) + ":" + _jcs(v[name]) for name in names) + "}"
    raise NotIJson(f"not a JSON value: {type(v).__name__}")


def jcs(value):
    """The canonical UTF-8 bytes; NotIJson for a lone surrogate (UTF-8 cannot encode it) or a non-finite number."""
    try:
        return _jcs(value).encode("utf-8")
    except UnicodeEncodeError:
        raise NotIJson("a string with a lone surrogate")


# ---- CBOR (RFC 8949) decoding, for LCEs in the "cbor" encoding ----

class NotCbor(ValueError):
    pass


BREAK = object()   # the "break" stop code that ends an indefinite-length item


def cbor_decode(data):
    """Exactly one well-formed CBOR item, read strictly: valid UTF-8, no duplicate map keys (any key order).
    Maps become dicts (a key that is not a text string is kept as ("key", its encoded bytes)), tags ("tag", n, value),
    simple values other than false/true/null ("simple", n)."""
    value, end = _cbor_item(data, 0, 0)
    if value is BREAK or end != len(data):
        raise NotCbor("not exactly one CBOR item")
    return value


def _cbor_take(b, i, n):
    if i + n > len(b):
        raise NotCbor("truncated")
    return b[i:i + n], i + n


def _cbor_item(b, i, depth):
    if depth > 64:
        raise NotCbor("nested too deeply")
    (initial,), i = _cbor_take(b, i, 1)
    major, info = initial >> 5, initial & 31
    if major == 7:
        if info == 31:
            return BREAK, i
        if info < 24:
            return {20: False, 21: True, 22: None}.get(info, ("simple", info)), i
        if info == 24:
            (v,), i = _cbor_take(b, i, 1)
            if v < 32:
                raise NotCbor("simple value in two bytes below 32")
            return ("simple", v), i
        if info in (25, 26, 27):
            raw, i = _cbor_take(b, i, 1 << (info - 24))
            return struct.unpack({25: ">e", 26: ">f", 27: ">d"}[info], raw)[0], i
        raise NotCbor("reserved additional information")
    if info < 24:
        arg = info
    elif info < 28:
        raw, i = _cbor_take(b, i, 1 << (info - 24))
        arg = int.from_bytes(raw, "big")
    elif info == 31 and major in (2, 3, 4, 5):
        arg = None     # indefinite length, up to a break
    else:
        raise NotCbor("reserved additional information")
    if major == 0:
        return arg, i
    if major == 1:
        return -1 - arg, i
    if major == 6:
        value, i = _cbor_value(b, i, depth)
        return ("tag", arg, value), i
    if major in (2, 3):
        if arg is None:   # chunks of definite length and the same major type
            chunks = []
            while True:
                if i < len(b) and b[i] == 0xFF:
                    i += 1
                    break
                if i < len(b) and (b[i] >> 5 != major or b[i] & 31 == 31):
                    raise NotCbor("bad chunk in an indefinite-length string")
                chunk, i = _cbor_item(b, i, depth + 1)
                chunks.append(chunk)
            return (b"" if major == 2 else "").join(chunks), i
        raw, i = _cbor_take(b, i, arg)
        try:
            return (bytes(raw) if major == 2 else raw.decode("utf-8")), i
        except UnicodeDecodeError:
            raise NotCbor("text string is not UTF-8")
    items, seen = ([], None) if major == 4 else ({}, set())
    count = 0
    while arg is None or count < arg:
        start = i
        item, i = _cbor_item(b, i, depth + 1)
        if item is BREAK:
            if arg is None:
                break
            raise NotCbor("unexpected break")
        count += 1
        if major == 4:
            items.append(item)
            continue
        key = bytes(b[start:i])      # keys compare by their encoded bytes
        if key in seen:
            raise NotCbor("duplicate map key")
        seen.add(key)
        value, i = _cbor_value(b, i, depth)
        items[item if isinstance(item, str) else ("key", key)] = value
    return items, i


def _cbor_value(b, i, depth):
    value, i = _cbor_item(b, i, depth + 1)
    if value is BREAK:
        raise NotCbor("unexpected break")
    return value, i


def b64url(data):
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def compact(obj):
    return json.dumps(obj, separators=(",", ":"))


# ---- The LHS server: one Session per connection ----

class Reject(Exception):
    def __init__(self, code, detail):
        super().__init__(detail)
        self.code, self.detail = code, detail


def text_field(obj, name, code):
    v = obj.get(name)
    if not isinstance(v, str) or v == "":
        raise Reject(code, f'"{name}" must be a non-empty string')
    return v


def string_list(obj, name):
    v = obj.get(name)
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise Reject("lhs.invalid_frame", f'"{name}" must be an array of strings')
    return v


def optional_object(obj, name, code):
    if name in obj and not isinstance(obj[name], dict):
        raise Reject(code, f'"{name}" must be an object when present')
    return obj.get(name)


def check_hello(h):
    """§3.1 required fields; returns the mirror's contract (encoding, features, max_frame_bytes)."""
    missing = [f for f in ("lri_version", "encodings", "features", "max_frame_bytes") if f not in h]
    if missing:
        raise Reject("lhs.invalid_frame", "required fields missing: " + ", ".join(missing))
    version = text_field(h, "lri_version", "lhs.invalid_frame")
    encodings, features = string_list(h, "encodings"), string_list(h, "features")
    limit = h["max_frame_bytes"]   # any JSON spelling of a whole number: 65536, 65536.0, 6.5536e4
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit != int(limit) or not 1 <= limit <= 2 ** 31 - 1:
        raise Reject("lhs.invalid_frame", '"max_frame_bytes" must be an integer from 1 to 2147483647')
    if not VERSION_RE.fullmatch(version):
        raise Reject("lhs.invalid_frame", f'lri_version "{version}" is not a major.minor[.patch] version')
    optional_object(h, "session", "lhs.invalid_frame")   # the project's reading of "Optional session metadata"
    if int(version.split(".")[0]) != int(VERSION.split(".")[0]):
        raise Reject("lhs.version_mismatch", f"major of {version} is not supported (server speaks {VERSION})")
    encoding = next((e for e in encodings if e in ENCODINGS), None)
    if encoding is None:
        raise Reject("lhs.encoding_negotiation_failed", f"none of [{', '.join(encodings)}] is supported (server: {', '.join(ENCODINGS)})")
    granted = []
    for f in features:
        if f in FEATURES and f not in granted:
            granted.append(f)
    return encoding, granted, min(int(limit), MAX_FRAME_BYTES)


def check_bind(b):
    """§3.3: thread a UUID or ULID; auth {scheme, token} and context objects when present. Every failure: invalid_bind."""
    bad = "lhs.invalid_bind"
    thread = text_field(b, "thread", bad)
    auth = optional_object(b, "auth", bad)
    context = optional_object(b, "context", bad)
    if not (UUID_RE.fullmatch(thread) or ULID_RE.fullmatch(thread)):
        raise Reject(bad, f'thread "{thread[:64]}" is neither a UUID nor a ULID')
    if auth is not None:
        text_field(auth, "scheme", bad)
        text_field(auth, "token", bad)
    return thread, context


def check_flow(frame, encoding, features, limit):
    """§6: 4-byte big-endian LCE length, the LCE (a JSON object or CBOR map: v 1, intent.type, policy.consent), the payload."""
    if len(frame) > limit:
        raise Reject("lhs.frame_too_large", f"flow frame of {len(frame)} bytes exceeds the negotiated max_frame_bytes {limit}")
    if len(frame) < 4:
        raise Reject("lhs.invalid_lce", "flow frame shorter than its 4-byte length prefix")
    n = int.from_bytes(frame[:4], "big")
    if n > len(frame) - 4:
        raise Reject("lhs.invalid_lce", f"LCE length {n} exceeds the {len(frame) - 4} bytes that follow")
    lce_bytes = frame[4:4 + n]
    try:
        lce = parse_strict(lce_bytes.decode("utf-8")) if encoding == "json" else cbor_decode(lce_bytes)
    except (UnicodeDecodeError, NotIJson, NotCbor) as e:
        raise Reject("lhs.invalid_lce", f"LCE is not valid {encoding}: {e}")
    if not isinstance(lce, dict) or not all(isinstance(name, str) for name in lce):
        raise Reject("lhs.invalid_lce", "LCE is not an object (json) or a map with text keys (cbor)")
    v = lce.get("v")
    if type(v) not in (int, float) or v != 1:   # bool is an int in Python: not 1 here
        raise Reject("lhs.invalid_lce", 'LCE member "v" must be 1')
    for outer, inner in (("intent", "type"), ("policy", "consent")):
        if not isinstance(lce.get(outer), dict) or not isinstance(lce[outer].get(inner), str):
            raise Reject("lhs.invalid_lce", f'LCE member "{outer}.{inner}" must be a string')
    # "sig" uses ltp (the design's example); "lss" and "telemetry" their features (the project's reading)
    for member, feature in (("sig", "ltp"), ("lss", "lss"), ("telemetry", "telemetry")):
        if member in lce and feature not in features:
            raise Reject("lhs.feature_not_negotiated", f'LCE member "{member}" uses feature "{feature}", which was not negotiated')


class Session:
    """hello -> mirror -> bind -> seal -> flow (§2); anything else: one error frame and a close 1008 (§4)."""

    def __init__(self, conn):
        self.conn, self.phase = conn, "hello"    # "hello" | "bind" | "flow" | "closed"
        self.hello = self.mirror = None

    def send_text(self, text):
        send({"event": "frame", "conn": self.conn, "text": text})

    def close(self, code, reason):
        send({"event": "close", "conn": self.conn, "code": code, "reason": reason})
        self.phase = "closed"

    def on_message(self, text=None, data=None):
        if self.phase == "closed":
            return
        try:
            if text is not None:
                if len(text.encode("utf-8", "surrogatepass")) > HOST_LIMIT:
                    raise Reject("lhs.frame_too_large", "text message over this server's limit")
                self.on_text(text)
            elif len(data) > HOST_LIMIT:
                raise Reject("lhs.frame_too_large", f"binary message of {len(data)} bytes over this server's limit")
            elif self.phase != "flow":
                raise Reject("lhs.unexpected_step", "flow frame before the seal")
            else:
                check_flow(data, *self.contract)
                send({"event": "frame", "conn": self.conn, "base64": base64.b64encode(data).decode("ascii")})  # the echo
        except Reject as r:
            self.send_text(compact({"step": "error", "code": r.code, "detail": r.detail}))
            self.close(1008, r.code)

    def on_text(self, text):
        try:
            frame = parse_strict(text)
            if not isinstance(frame, dict) or frame.get("step") not in ("hello", "mirror", "bind", "seal", "error"):
                raise NotIJson("not a JSON object with a known string \"step\"")
        except NotIJson as e:
            # After the seal only flow frames travel: a text message there is out of order, whatever it holds.
            raise Reject("lhs.unexpected_step" if self.phase == "flow" else "lhs.invalid_frame", f"not a control frame: {e}")
        step = frame["step"]
        if step == "error":       # a peer's error ends the connection; answering it would only loop
            self.close(1000, "peer error")
        elif step != self.phase:  # out of order, a second hello or bind, or a control frame in flow
            raise Reject("lhs.unexpected_step", f'"{step}" where {"only flow frames" if self.phase == "flow" else repr(self.phase)} may come')
        elif step == "hello":
            self.on_hello(frame)
        else:
            self.on_bind(frame)

    def on_hello(self, hello):
        encoding, features, limit = check_hello(hello)
        self.hello, self.contract = hello, (encoding, features, limit)
        self.mirror = {"step": "mirror", "lri_version": VERSION, "encoding": encoding, "features": features,
                       "max_frame_bytes": limit, "nonce": "n-" + b64url(os.urandom(16))}
        self.send_text(compact(self.mirror))
        self.phase = "bind"

    def on_bind(self, bind):
        thread, context = check_bind(bind)
        nonce, session_id = self.mirror["nonce"], "flow-" + os.urandom(8).hex()
        # SPEC-NOTES "Seal signature": JCS([hello, mirror, bind, nonce]) as parsed, signed as a detached compact JWS
        header = b64url(b'{"alg":"EdDSA"}')
        signing_input = (header + "." + b64url(jcs([self.hello, self.mirror, bind, nonce]))).encode("ascii")
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=SESSION_SECONDS)
        seal = {"step": "seal", "session_id": session_id, "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "signature": "ltp:jws:" + header + ".." + b64url(SEAL_KEY.sign(signing_input)),
                "features": {"ltp": {"jws": {"alg": "EdDSA", "nonce": nonce}}}}
        self.send_text(compact(seal))
        self.phase = "flow"
        # §7 item 5: the telemetry hook from Bind, as an observation (SPEC-NOTES "Telemetry hooks")
        encoding, features, _ = self.contract
        send({"event": "observe", "name": "lhs.bind", "data": {"thread": thread, "session_id": session_id,
              "encoding": encoding, "features": features, "context": context}})


# ---- The shim: JSON lines on stdin/stdout ----

def send(obj):
    sys.stdout.write(compact(obj) + "\n")   # ASCII (json escapes the rest), one line
    sys.stdout.flush()


def main():
    sessions = {}
    for raw in sys.stdin.buffer:
        try:
            msg = json.loads(raw.decode("utf-8"))
        except ValueError as e:
            print(f"lhs_shim.py: unreadable line: {e}", file=sys.stderr)
            continue
        op, conn = msg.get("op"), msg.get("conn")
        if op == "hello":
            send({"id": msg["id"], "protocol": 2, "name": "lhs_shim.py (example LHS server, Python stdlib)",
                  "spec": "lhs", "role": "server", "features": FEATURES, "unimplemented": [],
                  "keys": {"seal": SEAL_KEY.public.hex()}, "observe": True})
        elif op == "open":
            sessions[conn] = Session(conn)
            send({"id": msg["id"]})
        elif op == "frame" and conn in sessions:
            if "text" in msg:
                sessions[conn].on_message(text=msg["text"])
            else:
                sessions[conn].on_message(data=base64.b64decode(msg.get("base64", "")))
        elif op in ("close", "abort"):
            sessions.pop(conn, None)
        elif op == "bye":
            send({"id": msg["id"]})
            return
        elif "id" in msg:
            send({"id": msg["id"], "unimplemented": True, "feature": op})


def self_test():
    key = SigningKey(bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
    assert key.public.hex() == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    assert key.sign(b"").hex() == ("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555f"
                                   "b8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
    cases = {'{"b":[0.20,1E-1,-0],"a":"\\u00e9\\n","\\u20ac":1,"\\ud83d\\ude00":2}':
             '{"a":"\u00e9\\n","b":[0.2,0.1,0],"\u20ac":1,"\U0001F600":2}',
             '[1e21,1e20,1e-6,1e-7,123.456,4.5e-324,9007199254740993]':
             '[1e+21,100000000000000000000,0.000001,1e-7,123.456,5e-324,9007199254740992]'}
    for given, want in cases.items():
        assert jcs(parse_strict(given)) == want.encode("utf-8"), (given, jcs(parse_strict(given)))
    for bad in ('{"a":1,"a":2}', '["\\ud800"]', '[1e400]', '[NaN]'):
        try:
            parse_strict(bad)
            raise AssertionError(bad)
        except NotIJson:
            pass
    print("ok: RFC 8032 test 1, JCS")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
    else:
        if "--json-only" in sys.argv[1:]:
            ENCODINGS = ["json"]
        main()
