-- rate limit: at most ARGV[1] calls per ARGV[2] seconds for KEYS[1]
local key = "rate.limit:" .. KEYS[1]
local limit = tonumber(ARGV[1])
if redis.call("EXISTS", key) == 1 then
    if redis.call("INCR", key) > limit then return 0 else return 1 end
else
    redis.call("SET", key, 1)
    redis.call("EXPIRE", key, ARGV[2])
    return 1
end
