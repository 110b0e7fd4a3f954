// Verifies FY1 (person) and FYP1 (place) codes in the browser, with no network: the same
// decisions, in the same order, as the Python reference fangyi.codes.format.verify, which
// docs/code-format.md describes. Base45, zlib (DecompressionStream), CBOR and ECDSA P-256
// (WebCrypto) are all that is needed.
//
// CBOR is decoded here rather than by an npm library: a general decoder (cbor-x was tried)
// accepts and refuses damaged input differently from cbor2, and a checkpoint must give the
// verdict the server would. The decoder accepts what cbor2 accepts (indefinite lengths, floats, simple values,
// non-shortest heads, trailing bytes, nesting up to 400) so that a damaged code gets the same
// result as on the server. One deliberate difference: cbor2 interprets a set of semantic tags
// (dates, decimals, regular expressions, shared values, ...); none belongs in a code, and
// rebuilding each of them here would mean rebuilding Python's datetime and re modules, so such a
// tag makes the code malformed even where cbor2 would have read it and the server would have
// said bad_signature or unknown_key instead. Either way the code is not valid.

export const PERSON_PREFIX = "FY1:";
export const PLACE_PREFIX = "FYP1:";
const MAX_TEXT_BYTES = 1024;
const MAX_INFLATED_BYTES = 4096;
const CLOCK_SKEW_SECONDS = 60;
const COSE_SIGN1_TAG = 18;
const COSE_ALG = 1;
const COSE_KID = 4;
const ES256 = -7;
const SIGNATURE_BYTES = 64;
const KID_BYTES = 8;
const REVOCATION_HASH_BYTES = 16;
const [ISS, SUB, EXP, IAT, PRIVATE] = [1, 2, 4, 6, -65537];
const [COLOUR, NAME, ID_TAIL, POLICY, KIND] = [1, 2, 3, 4, 5];
const [VENUE_NAME, VENUE_KIND, REGION] = [6, 7, 8];
const [ORDER_KIND, START, END, RELEASED_AT, PLACE_NAME, ISSUER_REGION] = [9, 10, 11, 12, 13, 14];
// Couriers' passes: see format.py.
const [ORGANISATION, PLATE, AREAS, AREA_NAMES, PASS_UNTIL, TESTED_AT, TEST_HOURS] = [
  15, 16, 17, 18, 19, 20, 21,
];
const COLOURS = ["green", "yellow", "orange", "red"];
// The texts each printed isolation document carries besides the name and ID tail.
const DOCUMENT_TEXTS = {
  release: { order_kind: ORDER_KIND, start: START, end: END, region: ISSUER_REGION },
  notice: { order_kind: ORDER_KIND, start: START, end: END, place: PLACE_NAME },
};

// What Python's str.strip() removes; String.prototype.trim() differs in a few characters.
const PY_SPACE =
  "\t\n\u000b\f\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004" +
  "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

function pyStrip(text) {
  let start = 0;
  let end = text.length;
  while (start < end && PY_SPACE.includes(text[start])) start++;
  while (end > start && PY_SPACE.includes(text[end - 1])) end--;
  return text.slice(start, end);
}

const encoder = new TextEncoder();

// Python encodes with errors="replace": a lone surrogate becomes "?".
function utf8Replace(text) {
  return encoder.encode(
    text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "?"),
  );
}

const BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const BASE45_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < BASE45.length; i++) BASE45_VALUE[BASE45.charCodeAt(i)] = i;

// RFC 9285; null when the text is not Base45.
function base45Decode(bytes) {
  const n = bytes.length;
  if (n % 3 === 1) return null;
  const out = new Uint8Array(Math.floor(n / 3) * 2 + (n % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < n; i += 3) {
    const c = BASE45_VALUE[bytes[i]];
    const d = BASE45_VALUE[bytes[i + 1]];
    if (c < 0 || d < 0) return null;
    if (n - i >= 3) {
      const e = BASE45_VALUE[bytes[i + 2]];
      if (e < 0) return null;
      const x = c + d * 45 + e * 2025;
      if (x > 0xffff) return null;
      out[o++] = x >> 8;
      out[o++] = x & 0xff;
    } else {
      const x = c + d * 45;
      if (x > 0xff) return null;
      out[o++] = x;
    }
  }
  return out;
}

// RFC 1950 zlib, read no further than the cap: a short input can inflate to megabytes.
async function inflate(data) {
  const stream = new DecompressionStream("deflate");
  const writer = stream.writable.getWriter();
  // Failures surface on the reading side; these promises would only report them twice.
  writer.write(data).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_INFLATED_BYTES) {
        reader.cancel().catch(() => {});
        return { error: "inflates past 4 KiB" };
      }
      chunks.push(value);
    }
  } catch (error) {
    const message = String(error && error.message);
    return { error: /truncat|junk/i.test(message) ? "truncated or trailing zlib data" : "not zlib" };
  }
  if (chunks.length === 1) return { bytes: chunks[0] };
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return { bytes };
}

// CBOR (RFC 8949) values as Python's cbor2 would see them: integers are numbers (BigInt past
// 2^53), floats are wrapped so that 1.0 stays apart from 1, maps keep every entry so that a
// lookup can follow Python's rules (1 == 1.0 == True, the last duplicate wins).
class CborError extends Error {}

class CborTag {
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
  }
}

class CborFloat {
  constructor(value) {
    this.value = value;
  }
}

class CborSimple {
  constructor(value) {
    this.value = value;
  }
}

const UNDEFINED = Object.freeze({ toString: () => "undefined" });

class CborMap {
  constructor(entries) {
    this.entries = entries;
  }

  // Python's dict.get with an int key.
  get(key) {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (equalsInt(this.entries[i][0], key)) return this.entries[i][1];
    }
    return null;
  }
}

function equalsInt(value, int) {
  switch (typeof value) {
    case "number":
      return value === int;
    case "boolean":
      return (value ? 1 : 0) === int;
    case "bigint":
      return value === BigInt(int);
    default:
      return (value instanceof CborFloat || value instanceof CborSimple) && value.value === int;
  }
}

function isInt(value) {
  return typeof value === "number" || typeof value === "bigint";
}

// Tags cbor2 gives a meaning to (see the note at the top); 2, 3 and 55799 are handled.
const INTERPRETED_TAGS = new Set([
  0, 1, 4, 5, 25, 28, 29, 30, 35, 36, 37, 52, 54, 100, 256, 258, 260, 261, 1004, 43000,
]);
const MAX_DEPTH = 400;
const textDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function normalInt(big) {
  return big >= -9007199254740991n && big <= 9007199254740991n ? Number(big) : big;
}

function halfFloat(bits) {
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

class CborReader {
  constructor(bytes) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.at = 0;
  }

  need(count) {
    if (count > this.bytes.length - this.at) throw new CborError("premature end");
  }

  // The argument of a head; BigInt only when it does not fit a safe integer.
  argument(info) {
    if (info < 24) return info;
    const view = this.view;
    const at = this.at;
    switch (info) {
      case 24:
        this.need(1);
        this.at += 1;
        return view.getUint8(at);
      case 25:
        this.need(2);
        this.at += 2;
        return view.getUint16(at);
      case 26:
        this.need(4);
        this.at += 4;
        return view.getUint32(at);
      case 27:
        this.need(8);
        this.at += 8;
        return normalInt(view.getBigUint64(at));
      default:
        throw new CborError("bad additional information");
    }
  }

  length(info) {
    const count = this.argument(info);
    if (typeof count === "bigint" || count > this.bytes.length - this.at) {
      throw new CborError("premature end");
    }
    return count;
  }

  string(major, info) {
    if (info !== 31) {
      const count = this.length(info);
      const chunk = this.bytes.subarray(this.at, this.at + count);
      this.at += count;
      return major === 2 ? chunk.slice() : textDecoder.decode(chunk);
    }
    const parts = [];
    for (;;) {
      this.need(1);
      const head = this.bytes[this.at++];
      if (head === 0xff) break;
      if (head >> 5 !== major || (head & 31) === 31) throw new CborError("bad string chunk");
      parts.push(this.string(major, head & 31));
    }
    if (major === 3) return parts.join("");
    const total = parts.reduce((sum, part) => sum + part.length, 0);
    const joined = new Uint8Array(total);
    let at = 0;
    for (const part of parts) {
      joined.set(part, at);
      at += part.length;
    }
    return joined;
  }

  atBreak() {
    this.need(1);
    if (this.bytes[this.at] !== 0xff) return false;
    this.at++;
    return true;
  }

  item(depth) {
    if (depth > MAX_DEPTH) throw new CborError("nested too deep");
    this.need(1);
    const head = this.bytes[this.at++];
    const major = head >> 5;
    const info = head & 31;
    switch (major) {
      case 0:
        return this.argument(info);
      case 1: {
        const n = this.argument(info);
        return typeof n === "number" ? -1 - n : normalInt(-1n - n);
      }
      case 2:
      case 3:
        return this.string(major, info);
      case 4: {
        const items = [];
        if (info === 31) {
          while (!this.atBreak()) items.push(this.item(depth + 1));
        } else {
          const count = this.length(info);
          for (let i = 0; i < count; i++) items.push(this.item(depth + 1));
        }
        return items;
      }
      case 5: {
        const entries = [];
        if (info === 31) {
          while (!this.atBreak()) entries.push([this.item(depth + 1), this.item(depth + 1)]);
        } else {
          const count = this.length(info);
          for (let i = 0; i < count; i++) entries.push([this.item(depth + 1), this.item(depth + 1)]);
        }
        return new CborMap(entries);
      }
      case 6: {
        const tag = this.argument(info);
        if (tag === 2 || tag === 3) {
          const content = this.item(depth + 1);
          if (!(content instanceof Uint8Array)) throw new CborError("bignum is not bytes");
          let n = 0n;
          for (const byte of content) n = (n << 8n) | BigInt(byte);
          return normalInt(tag === 2 ? n : -1n - n);
        }
        if (tag === 55799) return this.item(depth + 1);
        if (INTERPRETED_TAGS.has(tag)) throw new CborError(`unsupported tag ${tag}`);
        return new CborTag(tag, this.item(depth + 1));
      }
      default:
        return this.simple(info);
    }
  }

  simple(info) {
    if (info < 20) return new CborSimple(info);
    const at = this.at;
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return UNDEFINED;
      case 24: {
        this.need(1);
        const value = this.bytes[this.at++];
        if (value < 32) throw new CborError("bad simple value");
        return new CborSimple(value);
      }
      case 25:
        this.need(2);
        this.at += 2;
        return new CborFloat(halfFloat(this.view.getUint16(at)));
      case 26:
        this.need(4);
        this.at += 4;
        return new CborFloat(this.view.getFloat32(at));
      case 27:
        this.need(8);
        this.at += 8;
        return new CborFloat(this.view.getFloat64(at));
      default:
        throw new CborError("break or reserved value where an item was expected");
    }
  }
}

// One data item from the start of the bytes; like cbor2.loads, whatever follows is ignored.
function decodeCbor(bytes) {
  return new CborReader(bytes).item(0);
}

function cborHead(major, count) {
  if (count < 24) return [(major << 5) | count];
  if (count < 0x100) return [(major << 5) | 24, count];
  if (count < 0x10000) return [(major << 5) | 25, count >> 8, count & 0xff];
  return [(major << 5) | 26, count >>> 24, (count >> 16) & 0xff, (count >> 8) & 0xff, count & 0xff];
}

const SIGNATURE1 = [...cborHead(3, 10), ...encoder.encode("Signature1")];

// Sig_structure ["Signature1", protected, h'', payload] exactly as cbor2.dumps writes it.
function toBeSigned(protectedBytes, payload) {
  const protectedHead = cborHead(2, protectedBytes.length);
  const payloadHead = cborHead(2, payload.length);
  const out = new Uint8Array(
    1 + SIGNATURE1.length + protectedHead.length + protectedBytes.length + 1 +
      payloadHead.length + payload.length,
  );
  let at = 0;
  for (const part of [[0x84], SIGNATURE1, protectedHead, protectedBytes, [0x40], payloadHead, payload]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function b64url(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function b64urlDecode(text) {
  const standard = text.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(standard + "=".repeat((4 - (standard.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

// DER SubjectPublicKeyInfo of a P-256 key is this prefix and the uncompressed point.
const SPKI_PREFIX = Uint8Array.from(
  "3059301306072a8648ce3d020106082a8648ce3d030107034200"
    .match(/../g)
    .map((h) => parseInt(h, 16)),
);

function coordinate(text) {
  let bytes = b64urlDecode(text);
  let start = 0;
  while (start < bytes.length - 32 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length > 32) throw new Error("coordinate longer than 32 bytes");
  const padded = new Uint8Array(32);
  padded.set(bytes, 32 - bytes.length);
  return padded;
}

// Imported keys by their coordinates, so that a refreshed key set costs no new imports.
const importedKeys = new Map();
const keySets = new WeakMap();

async function importJwk(jwk) {
  if (jwk.kty !== "EC" || jwk.crv !== "P-256") return null;
  const point = new Uint8Array(65);
  point[0] = 4;
  point.set(coordinate(jwk.x), 1);
  point.set(coordinate(jwk.y), 33);
  const cacheKey = b64url(point);
  let imported = importedKeys.get(cacheKey);
  if (!imported) {
    const spki = new Uint8Array(SPKI_PREFIX.length + point.length);
    spki.set(SPKI_PREFIX);
    spki.set(point, SPKI_PREFIX.length);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", spki));
    const key = await crypto.subtle.importKey(
      "raw",
      point,
      { name: "ECDSA", namedCurve: "P-256" },
      false,
      ["verify"],
    );
    imported = { kid: b64url(digest.subarray(0, KID_BYTES)), key };
    importedKeys.set(cacheKey, imported);
  }
  // The server publishes kid; one that does not match the key is not that key.
  if ("kid" in jwk && jwk.kid !== imported.kid) return null;
  return imported;
}

// kid (base64url) -> CryptoKey for a JWKS; a key that cannot be read is left out.
async function keySet(jwks) {
  const list = Array.isArray(jwks) ? jwks : jwks && jwks.keys;
  if (!Array.isArray(list)) return new Map();
  const known = keySets.get(list);
  if (known) return known;
  const found = new Map();
  for (const jwk of list) {
    try {
      const imported = await importJwk(jwk);
      if (imported) found.set(imported.kid, imported.key);
    } catch {
      // An unreadable entry verifies nothing; the others still do.
    }
  }
  keySets.set(list, found);
  return found;
}

const revokedSets = new WeakMap();

function revokedSet(revoked) {
  let found = revokedSets.get(revoked);
  if (!found) {
    found = new Set();
    for (const entry of revoked) {
      try {
        found.add(b64url(b64urlDecode(String(entry))));
      } catch {
        // Not base64url: it cannot name any signature.
      }
    }
    revokedSets.set(revoked, found);
  }
  return found;
}

function outcome(result, reason, found = {}, signed = false) {
  return {
    result,
    reason,
    claims: found.claims ?? null,
    kid: found.kid ?? null,
    revocationHash: found.revocationHash ?? null,
    signed,
  };
}

function malformed(reason) {
  return outcome("malformed", reason);
}

function plainInt(value) {
  return typeof value === "bigint" ? Number(value) : value;
}

// The claims with names instead of numbers, or null when they break the format.
function readable(claims, prefix) {
  const priv = claims.get(PRIVATE);
  if (!(priv instanceof CborMap)) return null;
  const [iss, sub, exp, iat] = [ISS, SUB, EXP, IAT].map((key) => claims.get(key));
  if (typeof iss !== "string" || typeof sub !== "string") return null;
  if (!isInt(exp) || !isInt(iat)) return null;
  const kind = priv.get(KIND);
  const result = { iss, sub, exp, iat, kind };
  let texts;
  if (prefix === PLACE_PREFIX) {
    if (kind !== "place") return null;
    texts = { venue_name: VENUE_NAME, venue_kind: VENUE_KIND, region: REGION };
  } else if (kind === "pass") {
    const colour = priv.get(COLOUR);
    if (!COLOURS.includes(colour)) return null;
    result.colour = colour;
    for (const [name, key] of [["tested_at", TESTED_AT], ["test_hours", TEST_HOURS]]) {
      const value = priv.get(key);
      if (!isInt(value)) return null;
      result[name] = value;
    }
    const areas = priv.get(AREAS);
    if (!Array.isArray(areas) || !areas.every((area) => typeof area === "string")) return null;
    result.areas = [...areas];
    texts = {
      name: NAME,
      id_tail: ID_TAIL,
      policy: POLICY,
      organisation: ORGANISATION,
      plate: PLATE,
      area_names: AREA_NAMES,
      valid_until: PASS_UNTIL,
    };
  } else if (kind === "release" || kind === "notice") {
    // Documents carry no colour: what holds at the gate is what the paper says.
    if (priv.get(COLOUR) !== null) return null;
    texts = { name: NAME, id_tail: ID_TAIL, ...DOCUMENT_TEXTS[kind] };
    if (kind === "release") {
      const releasedAt = priv.get(RELEASED_AT);
      if (!isInt(releasedAt)) return null;
      result.released_at = releasedAt;
    }
  } else {
    if (kind !== "display" && kind !== "card") return null;
    const colour = priv.get(COLOUR);
    if (kind === "display" && !COLOURS.includes(colour)) return null;
    if (kind === "card" && colour !== null) return null;
    result.colour = colour;
    texts = { name: NAME, id_tail: ID_TAIL, policy: POLICY };
  }
  for (const [name, key] of Object.entries(texts)) {
    const value = priv.get(key);
    if (typeof value !== "string") return null;
    result[name] = value;
  }
  return result;
}

async function check(text, keys, revoked, now, place) {
  if (typeof text !== "string") return malformed("not text");
  const raw = utf8Replace(pyStrip(text));
  if (raw.length > MAX_TEXT_BYTES) return malformed("longer than 1 KiB");
  const prefixes = place === null ? [PERSON_PREFIX, PLACE_PREFIX] : place ? [PLACE_PREFIX] : [PERSON_PREFIX];
  const prefix = prefixes.find((p) => p.split("").every((c, i) => raw[i] === c.charCodeAt(0)));
  if (prefix === undefined) return malformed("unknown prefix");
  const compressed = base45Decode(raw.subarray(prefix.length));
  if (compressed === null) return malformed("not Base45");
  const inflated = await inflate(compressed);
  if (inflated.error) return malformed(inflated.error);

  let header, claims, protectedBytes, payload, signature;
  try {
    const message = decodeCbor(inflated.bytes);
    if (!(message instanceof CborTag && message.tag === COSE_SIGN1_TAG)) {
      return malformed("not a COSE_Sign1 message");
    }
    const parts = message.value;
    if (!(Array.isArray(parts) && parts.length === 4)) return malformed("not a COSE_Sign1 message");
    [protectedBytes, , payload, signature] = parts;
    if (![protectedBytes, payload, signature].every((p) => p instanceof Uint8Array)) {
      return malformed("not a COSE_Sign1 message");
    }
    header = decodeCbor(protectedBytes);
    claims = decodeCbor(payload);
  } catch {
    return malformed("not CBOR");
  }
  if (!(header instanceof CborMap) || !equalsInt(header.get(COSE_ALG), ES256)) {
    return malformed("algorithm is not ES256");
  }
  const kid = header.get(COSE_KID);
  if (!(kid instanceof Uint8Array && kid.length === KID_BYTES)) return malformed("no 8-byte key id");
  if (signature.length !== SIGNATURE_BYTES) return malformed("signature is not 64 bytes");
  if (!(claims instanceof CborMap)) return malformed("claims are not a map");
  const names = readable(claims, prefix);
  if (names === null) return malformed("claims do not follow the format");

  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", signature));
  const found = {
    claims: {
      ...names,
      exp: plainInt(names.exp),
      iat: plainInt(names.iat),
      ...("released_at" in names ? { released_at: plainInt(names.released_at) } : {}),
      ...("tested_at" in names
        ? { tested_at: plainInt(names.tested_at), test_hours: plainInt(names.test_hours) }
        : {}),
    },
    kid: b64url(kid),
    revocationHash: b64url(hash.subarray(0, REVOCATION_HASH_BYTES)),
  };
  const key = (await keySet(keys)).get(found.kid);
  if (!key) return outcome("unknown_key", "no published key with this id", found);
  const good = await crypto.subtle.verify(
    { name: "ECDSA", hash: "SHA-256" },
    key,
    signature,
    toBeSigned(protectedBytes, payload),
  );
  if (!good) return outcome("bad_signature", "signature does not match", found);
  if (revoked.length && revokedSet(revoked).has(found.revocationHash)) {
    return outcome("revoked", "on the revocation list", found, true);
  }
  // BigInt and number compare exactly, as Python's int and float do.
  if (now + CLOCK_SKEW_SECONDS < names.iat) {
    return outcome("not_yet_valid", "issued in the future", found, true);
  }
  if (now >= names.exp) return outcome("expired", "past its expiry", found, true);
  return outcome("valid", "", found, true);
}

/**
 * The pass rule for a pass verifyCode found valid, as fangyi.codes.format.pass_refusal: "" when
 * it lets its holder through, otherwise "not_green", "test_too_old" or "outside_areas".
 * `regionPath` is the checkpoint's region path, or null when the checkpoint names none.
 */
export function passRefusal(claims, now, regionPath = null) {
  if (claims.colour !== "green") return "not_green";
  const testedAt = Number(claims.tested_at);
  if (testedAt <= 0 || now > testedAt + Number(claims.test_hours) * 3600) return "test_too_old";
  if (regionPath !== null && !claims.areas.some((area) => regionPath.startsWith(area))) {
    return "outside_areas";
  }
  return "";
}

/**
 * Checks a code against a JWKS ({"keys": [...]}) and a list of revoked hashes (base64url).
 * Returns {result, reason, claims, kid, revocationHash, signed}; never throws: anything that is
 * not a well-formed code is "malformed". `place` true/false accepts only one kind of code.
 */
export async function verifyCode(
  text,
  { keys, revoked = [], now = Date.now() / 1000, place = null } = {},
) {
  try {
    return await check(text, keys, Array.isArray(revoked) ? revoked : [], now, place);
  } catch (error) {
    return malformed(`cannot check: ${error && error.message}`);
  }
}
