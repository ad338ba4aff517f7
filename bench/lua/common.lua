-- Shared by the benchmark's wrk scripts (loaded with dofile from bench/run's working directory).
-- The data rules mirror bench/datagen.py: hash(x) = (x * 2654435761 + seed * 40503) mod 2^32,
-- start(u) = hash(u) mod C, grants of u = start(u) + j * (C div K) mod C, + 1.

local M = {}

function M.hash(x, seed)
   return (x * 2654435761 + seed * 40503) % 4294967296
end

function M.read_lines(path)
   local lines = {}
   for line in io.lines(path) do
      if #line > 0 then lines[#lines + 1] = line end
   end
   return lines
end

-- A user id and a company id for a random check: half the time a company the user was granted.
function M.random_pair(users, companies, grants, seed, user)
   local u = user or math.random(1, users)
   local c
   if grants > 0 and math.random() < 0.5 then
      local stride = math.floor(#companies / grants)
      c = (M.hash(u, seed) % #companies + math.random(0, grants - 1) * stride) % #companies + 1
   else
      c = math.random(1, #companies)
   end
   return u, companies[c]
end

function M.shuffle(t)
   for i = #t, 2, -1 do
      local j = math.random(1, i)
      t[i], t[j] = t[j], t[i]
   end
end

-- wrk's setup(): numbers the threads 0, 1, ... as "id", which init reads to pick its share of the users.
function M.number_threads()
   local count = 0
   return function(thread)
      thread:set("id", count)
      count = count + 1
   end
end

-- wrk's request(): the requests init prepared in `pool`, round and round.
function M.cycle(pool)
   local next_request = 1
   return function()
      local r = pool[next_request]
      next_request = next_request % #pool + 1
      return r
   end
end

-- wrk's done(): prints one line the runner reads: BENCH {json}.
function M.report(summary, latency)
   local e = summary.errors
   io.write(string.format(
      'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "mean_us": %.1f, "p50_us": %d, ' ..
      '"p90_us": %d, "p99_us": %d, "max_us": %d, "errors_connect": %d, "errors_read": %d, ' ..
      '"errors_write": %d, "errors_status": %d, "errors_timeout": %d}\n',
      summary.requests, summary.duration, summary.bytes, latency.mean, latency:percentile(50),
      latency:percentile(90), latency:percentile(99), latency.max, e.connect, e.read, e.write,
      e.status, e.timeout))
end

return M
