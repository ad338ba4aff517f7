-- GET load for wrk.
--   wrk ... -s bench/lua/get.lua URL -- static PATH
--   wrk ... -s bench/lua/get.lua URL -- check COMPANIES_FILE USERS GRANTS_PER_USER SEED POOL THREADS [LIMIT MARKER]
--   wrk ... -s bench/lua/get.lua URL -- nowhere USERS SEED POOL
--   wrk ... -s bench/lua/get.lua URL -- rolecheck COMPANIES_FILE USERS GRANTS_PER_USER SEED POOL THREADS
-- "rolecheck": "check" asking for `role=hr_manager,admin,employee`, so each answer also compares the role
-- held there (finance managers are refused with role_not_held).
-- "static": every request is GET PATH (the /health baseline). "check": GET /access-check with random
-- pairs, prepared in init as a shuffled pool of POOL requests per thread (so request() costs the same as
-- for "static"); thread t of T covers the users u with (u - 1) mod T = t first, so a pool of
-- USERS / threads requests or more touches every user. Half of the pairs are granted ones.
-- "nowhere": GET /access-check for ids that exist nowhere (users above USERS, random company ids), POOL
-- distinct requests per thread: the flood a misbehaving or hostile client sends.
-- THREADS: wrk's -t. LIMIT (optional): each thread stops after LIMIT / threads responses and then creates
-- the file MARKER<thread number>; wrk itself only ends at -d or on SIGINT, which bench/run sends once every
-- thread has made its marker.
local common = dofile("bench/lua/common.lua")

setup = common.number_threads()

local pool = {}
request = common.cycle(pool)
done = common.report
local limit = nil
local answered = 0

function init(args)
   local id = wrk.thread:get("id")
   if args[1] == "static" then
      pool[1] = wrk.format("GET", args[2])
   elseif args[1] == "nowhere" then
      local users, seed, size = tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
      math.randomseed(seed * 7919 + id)
      for i = 1, size do
         local uid = users + math.random(1, 1000000000)
         local cid = string.format("%08x-%04x-4%03x-8%03x-%06x%06x", math.random(0, 2147483647),
            math.random(0, 65535), math.random(0, 4095), math.random(0, 4095), math.random(0, 16777215),
            math.random(0, 16777215))
         pool[i] = wrk.format("GET", "/access-check?user_id=" .. uid .. "&company_id=" .. cid)
      end
   else
      local suffix = args[1] == "rolecheck" and "&role=hr_manager,admin,employee" or ""
      local companies = common.read_lines(args[2])
      local users, grants, seed, size = tonumber(args[3]), tonumber(args[4]), tonumber(args[5]), tonumber(args[6])
      local nthreads = tonumber(args[7])
      math.randomseed(seed * 1000 + id)
      local u = id + 1
      for i = 1, size do
         local user = nil
         if u <= users then
            user = u
            u = u + nthreads
         end
         local uid, cid = common.random_pair(users, companies, grants, seed, user)
         pool[i] = wrk.format("GET", "/access-check?user_id=" .. uid .. "&company_id=" .. cid .. suffix)
      end
      common.shuffle(pool)
      if args[8] then
         limit = math.ceil(tonumber(args[8]) / nthreads)
         response = function()
            answered = answered + 1
            if answered == limit then
               local marker = io.open(args[9] .. id, "w")
               if marker then marker:close() end
               wrk.thread:stop()
            end
         end
      end
   end
end
