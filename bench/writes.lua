-- wrk script of bench/writes.ts. args: mode (propose|apply|etcd), bodies file, token.
-- Each line of the bodies file is one request body; thread k of n takes lines k, k+n, ...
-- so every descriptor is written once. `propose`: POST /proposals, and once its 202 names
-- the proposal_id, the next request of this thread is POST /apply/{id} (a connection only
-- sends the apply after the propose it follows was answered: the 202 came first).
local next_thread = 0
function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
  thread:set("nthreads", 0)
end

local bodies = {}
local at = 0
local ready = {}
local mode, token

function init(args)
  mode = args[1]
  token = args[3]
  local n = tonumber(args[4]) or 1
  local i = 0
  for line in io.lines(args[2]) do
    if i % n == tid then bodies[#bodies + 1] = line end
    i = i + 1
  end
end

local function post(path, body)
  local headers = { ["Content-Type"] = "application/json" }
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("POST", path, headers, body)
end

function request()
  if mode == "propose" and #ready > 0 then
    return post("/v1/registry/apply/" .. table.remove(ready), "")
  end
  at = at + 1
  local body = bodies[at] or bodies[#bodies]
  if mode == "etcd" then return post("/v3/kv/put", body) end
  if mode == "apply" then return post("/v1/registry/apply", body) end
  return post("/v1/registry/proposals", body)
end

function response(status, headers, body)
  if mode == "propose" and status == 202 then
    local id = string.match(body, '"proposal_id":"(%x+)"')
    if id then ready[#ready + 1] = id end
  end
end
