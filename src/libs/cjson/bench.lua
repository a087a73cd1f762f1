local doc = {
  id = 123456, name = "Widget \"Pro\" / edition", price = 1234.5, ratio = 0.3333333, active = true, tags = {"alpha","beta","gamma","delta","epsilon"},
  owner = {id = 42, login = "someone", email = "someone@example.com", score = 98.6, roles = {"admin","dev"}},
  items = {}, meta = {created = "2024-01-02T03:04:05Z", updated = "2024-02-03T04:05:06Z", version = 7, note = cjson.null},
}
for i = 1, 18 do
  doc.items[i] = {sku = "SKU-" .. i, qty = i * 3, price = i * 1.25, desc = "Item number " .. i .. " with some text\n", flags = {i % 2 == 0, i % 3 == 0}}
end
local s = cjson.encode(doc)
local n = tonumber(ARGV and ARGV[1]) or 20000
local mode = ARGV and ARGV[2] or "both"
if mode == "enc" then for i = 1, n do local e = cjson.encode(doc) end
elseif mode == "dec" then for i = 1, n do local d = cjson.decode(s) end
else for i = 1, n do local e = cjson.encode(doc) local d = cjson.decode(e) end end
return #s
