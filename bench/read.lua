-- wrk script of bench/read.ts: every request GETs the head of a random id from the list file
-- named after `--` (one id a line), under the path prefix given second. Requests are
-- formatted once per thread in init(), so request() costs one random number and a lookup.
local requests = {}
local count = 0
local next_thread = 0

function setup(thread)
  thread:set("thread_index", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  local prefix = args[2] or "/v1/registry/descriptors/"
  for id in io.lines(args[1]) do
    if id ~= "" then
      count = count + 1
      requests[count] = wrk.format("GET", prefix .. id)
    end
  end
  math.randomseed(os.time() * 16 + (thread_index or 0))
end

function request()
  return requests[math.random(count)]
end
