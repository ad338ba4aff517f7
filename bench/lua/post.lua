-- POST /access-check load for wrk: bodies of PAIRS random pairs, prepared in init (BODIES per thread).
--   wrk ... -s bench/lua/post.lua URL -- COMPANIES_FILE USERS GRANTS_PER_USER SEED PAIRS BODIES [ROLE]
-- ROLE (optional): every pair asks for it (`"role": ROLE`).
local common = dofile("bench/lua/common.lua")

setup = common.number_threads()

local pool = {}
request = common.cycle(pool)
done = common.report

function init(args)
   local id = wrk.thread:get("id")
   local companies = common.read_lines(args[1])
   local users, grants, seed = tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
   local pairs_per_body, bodies = tonumber(args[5]), tonumber(args[6])
   local role = args[7] and (',"role":"' .. args[7] .. '"') or ""
   math.randomseed(seed * 1000 + 500 + id)
   -- wrk.format uses the headers given instead of wrk.headers (-H): copy those (Authorization) in.
   local headers = {["Content-Type"] = "application/json"}
   for name, value in pairs(wrk.headers) do headers[name] = value end
   for b = 1, bodies do
      local items = {}
      for i = 1, pairs_per_body do
         local uid, cid = common.random_pair(users, companies, grants, seed)
         items[i] = '{"user_id":' .. uid .. ',"company_id":"' .. cid .. '"' .. role .. '}'
      end
      local body = '{"checks":[' .. table.concat(items, ",") .. ']}'
      pool[b] = wrk.format("POST", "/access-check", headers, body)
   end
end
