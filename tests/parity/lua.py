"""Lua source fragments shared by the parity corpora."""

# All results of a call as one string; numbers with full precision (%.17g shows NaN signs,
# infinities, and values an integer reply would truncate).
SHOW = (
    "local function show(...) local t = {} for i = 1, select('#', ...) do "
    "local v = select(i, ...) if type(v) == 'number' then t[i] = string.format('%.17g', v) "
    "else t[i] = type(v) .. ':' .. tostring(v) end end return table.concat(t, ' ') end "
)
# Like SHOW, but for a pcall: error messages are kept as text.
TRY = SHOW + "local function try(f, ...) return show(pcall(f, ...)) end "

# dump(v): a value printed deterministically: pairs() order, #t, %q strings, %.17g numbers,
# anything else (null, booleans) through tostring().
DUMP = (
    "local function dump(v, d) d = d or 0 local t = type(v) "
    "if t == 'table' then if d > 20 then return '<deep>' end local o = {} "
    "for k, x in pairs(v) do o[#o+1] = dump(k, d+1) .. '=' .. dump(x, d+1) end "
    "return '{' .. table.concat(o, ',') .. '}#' .. #v "
    "elseif t == 'string' then return string.format('%q', v) "
    "elseif t == 'number' then return string.format('%.17g', v) else return tostring(v) end end "
)


def lua_str(data):
    """A Lua string literal holding exactly `data` (bytes, or text as UTF-8).

    Printable ASCII stays readable; every other byte becomes a three-digit decimal escape, so
    a digit after it cannot extend it ('\\0' then '1' would read as '\\01')."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return "'" + "".join(chr(c) if 32 <= c < 127 and c not in b"'\\" else "\\%03d" % c for c in data) + "'"
