"""Parity corpus for the `bit` library (LuaBitOp 1.0.2 as bundled by Redis)."""

import random

from parity.case import registry
from parity.lua import SHOW, TRY

CASES = []
case = registry(CASES, "bit/")


FUNCS = ["tobit", "bnot", "band", "bor", "bxor", "lshift", "rshift", "arshift", "rol", "ror",
         "bswap", "tohex"]

# Values exercising the 2^52+2^51 normalisation: halves (round half to even), wrap-around,
# magnitudes where the addition loses precision, non-finite values, numeric strings.
VALUES = ["0", "1", "-1", "0.5", "1.5", "2.5", "-0.5", "-1.5", "-2.5", "0.49999999999999994",
          "3.5", "4.5", "2^31", "2^31-1", "-2^31", "-2^31-1", "2^32", "2^32+1", "2^32-1",
          "-2^32", "2^40+7", "2^51", "2^52", "2^52+1", "2^53", "2^53+2", "2^60", "2^63",
          "2^64", "-2^63", "1e15+0.5", "1e16", "1e300", "-1e300", "1/0", "-1/0", "0/0",
          "-(0/0)", "-0.0", "0xffffffff", "0x7fffffff", "0x80000000", "4294967296.5",
          "1e-300", "'12'", "'0x10'", "' 7 '", "'1e3'", "'-2.5'", "'0x80000001'"]
VALS = "{" + ", ".join(VALUES) + "}"

# --- library table -----------------------------------------------------------------------
case("pairs-order", "local t = {} for k, v in pairs(bit) do t[#t + 1] = k .. '=' .. type(v) end "
     "return table.concat(t, ' ')")
case("global-type", "return type(bit)")
case("readonly", "bit.band = nil return 1")
case("len", "return #bit")

# --- spec examples -----------------------------------------------------------------------
for name, expr in [
    ("tobit-ffffffff", "bit.tobit(0xffffffff)"),
    ("tohex-255--4", "bit.tohex(255, -4)"),
    ("rshift--1-28", "bit.rshift(-1, 28)"),
    ("arshift--16-2", "bit.arshift(-16, 2)"),
    ("rol-80000001-1", "bit.rol(0x80000001, 1)"),
    ("ror-1-1", "bit.ror(1, 1)"),
    ("bswap-01020304", "bit.bswap(0x01020304)"),
    ("lshift-1-32", "bit.lshift(1, 32)"),
    ("tobit-1.5", "bit.tobit(1.5)"),
    ("tobit-2.5", "bit.tobit(2.5)"),
    ("tobit-2^32+1", "bit.tobit(2^32+1)"),
    ("tohex-default", "bit.tohex(0x1234abcd)"),
    ("tohex-cve-2024-31449", "bit.tohex(65535, -2147483648)"),
    ("tohex-int-min-plus-1", "bit.tohex(65535, -2147483647)"),
    ("tohex-int-max", "bit.tohex(65535, 2147483647)"),
    ("tohex-2^31", "bit.tohex(65535, 2^31)"),
    ("tohex-0", "bit.tohex(65535, 0)"),
    ("tohex-9", "bit.tohex(65535, 9)"),
    ("tohex--9", "bit.tohex(65535, -9)"),
    ("tohex-neg-value", "bit.tohex(-1, 3)"),
    ("tohex-string-n", "bit.tohex(255, '-2')"),
    ("band-one", "bit.band(0x1234)"),
    ("band-many", "bit.band(-1, 0xff00ff, 0x0ff0f0, 0x3c3c3c3c)"),
    ("bor-many", "bit.bor(1, 2, 4, 8, 16, 2^31)"),
    ("bxor-many", "bit.bxor(0xff, 0x0f, 0xf0, 1)"),
    ("bnot-0", "bit.bnot(0)"),
    ("bnot-string", "bit.bnot('5')"),
]:
    case(f"example-{name}", SHOW + f"return show({expr})")
    case(f"example-{name}-reply", f"return {expr}")

# --- every unary function over every value -----------------------------------------------
for f in ["tobit", "bnot", "bswap", "tohex"]:
    case(f"values-{f}", SHOW + f"local t = {{}} for _, v in ipairs({VALS}) do "
         f"t[#t + 1] = show(bit.{f}(v)) end return table.concat(t, ' ')")

# --- binary functions: values x small set ------------------------------------------------
SECOND = "{0, 1, 7, 31, 32, 33, -1, -31, 0.5, 1.5, 2^32+3, 1/0, 0/0, '4'}"
for f in ["band", "bor", "bxor", "lshift", "rshift", "arshift", "rol", "ror", "tohex"]:
    case(f"grid-{f}", SHOW + f"local t = {{}} for _, a in ipairs({VALS}) do "
         f"for _, b in ipairs({SECOND}) do t[#t + 1] = show(bit.{f}(a, b)) end end "
         "return table.concat(t, ' ')")

# --- shift counts ------------------------------------------------------------------------
for f in ["lshift", "rshift", "arshift", "rol", "ror"]:
    case(f"counts-{f}", SHOW + "local t = {} for n = -40, 40 do "
         f"t[#t + 1] = show(bit.{f}(0x87654321, n)) end return table.concat(t, ' ')")
for n in range(-10, 11):
    case(f"tohex-width-{n}", SHOW + f"return show(bit.tohex(0x9abcdef0, {n}), bit.tohex(-1, {n}))")

# --- errors ------------------------------------------------------------------------------
BAD = [("none", ""), ("nil", "nil"), ("string", "'abc'"), ("table", "{}"), ("bool", "true"),
       ("function", "type"), ("empty-string", "''"), ("zero-string", "'0'")]
for f in FUNCS:
    for label, v in BAD:
        case(f"err-{f}-arg1-{label}", TRY + f"return try(bit.{f}, {v})" if v else TRY + f"return try(bit.{f})")
for f in ["band", "bor", "bxor", "lshift", "rshift", "arshift", "rol", "ror", "tohex"]:
    for label, v in [("none", None), ("nil", "nil"), ("string", "'x'"), ("table", "{}")]:
        args = "1" if v is None else f"1, {v}"
        case(f"err-{f}-arg2-{label}", TRY + f"return try(bit.{f}, {args})")
case("err-band-order", TRY + "return try(bit.band, 1, 'x', {})")
case("err-bor-order", TRY + "return try(bit.bor, 'x', {}, nil)")
case("err-bxor-middle", TRY + "return try(bit.bxor, 1, 2, 'q', 4)")
case("err-bxor-last-nil", TRY + "return try(bit.bxor, 1, 2, 3, nil)")
case("err-direct", "return bit.band(1, 'x')")
case("err-direct-none", "return bit.tobit()")
case("err-local-alias", "local b = bit.bor return b(1, {})")
case("err-field-alias", "local t = {f = bit.bnot} return t.f('z')")
case("err-method", "local t = {f = bit.tohex} return t:f()")
case("err-method-ok", SHOW + "local t = setmetatable({}, {__index = {f = bit.tobit}}) return show(pcall(t.f, t))")
case("shift-extra-args", SHOW + "return show(bit.lshift(1, 2, 'ignored', {}))")
case("tobit-extra-args", SHOW + "return show(bit.tobit(3, {}))")
case("tohex-extra-args", SHOW + "return show(bit.tohex(3, 2, {}))")
case("band-many-args", SHOW + "local t = {} for i = 1, 200 do t[i] = -1 - 2^(i % 32) end "
     "return show(bit.band(unpack(t)), bit.bor(unpack(t)), bit.bxor(unpack(t)))")
# NaN payloads survive the 2^52+2^51 addition: their low 32 bits are the result.
for k, raw in enumerate(["\\1\\0\\0\\0\\0\\0\\248\\127", "\\5\\0\\0\\0\\0\\0\\240\\127",
                         "\\5\\0\\0\\128\\0\\0\\240\\255", "\\171\\205\\239\\1\\0\\0\\248\\255"]):
    case(f"nan-payload-{k}", SHOW + f"local v = struct.unpack('<d', '{raw}') "
         "return show(bit.tobit(v), bit.bnot(v), bit.tohex(v), bit.tobit(-v), bit.band(v, v), bit.lshift(1, v))")
case("reply-negative", "return {bit.tobit(-1), bit.bnot(0), bit.lshift(1, 31)}")


# --- seeded random values ----------------------------------------------------------------
def _random_cases():
    rng = random.Random(0xB17)

    def value():
        r = rng.random()
        if r < 0.3:
            return str(rng.randint(-2**31, 2**32))
        if r < 0.5:
            return repr(rng.uniform(-2**33, 2**33))
        if r < 0.6:
            return str(rng.randint(-2**53, 2**53))
        if r < 0.7:
            return f"{rng.randint(-2**20, 2**20)}.5"
        if r < 0.8:
            return repr(rng.uniform(-1e20, 1e20))
        if r < 0.9:
            return f"'{rng.randint(-2**31, 2**31)}'"
        return hex(rng.randint(0, 2**32 - 1))

    for k in range(30):
        vals = [value() for _ in range(12)]
        lines = []
        for f in FUNCS:
            if f in ("band", "bor", "bxor"):
                lines.append(f"bit.{f}({', '.join(rng.sample(vals, rng.randint(1, 5)))})")
            elif f in ("tobit", "bnot", "bswap"):
                lines.append(f"bit.{f}({rng.choice(vals)})")
            else:
                lines.append(f"bit.{f}({rng.choice(vals)}, {rng.choice(vals + [str(rng.randint(-40, 40))])})")
        case(f"random-{k}", SHOW + "return show(" + ", ".join(lines) + ")")


_random_cases()
