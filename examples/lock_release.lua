-- lock release: only the owner (ARGV[1]) may delete KEYS[1]
local key = KEYS[1]
local identifier = ARGV[1]

if redis.call("GET", key) == identifier then
    redis.call("DEL", key)
    return 1
end
return 0
