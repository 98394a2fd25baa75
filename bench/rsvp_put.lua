-- wrk script for bench/server.sh: PUT .../rsvp as one person who keeps changing their answer
-- (yes, no, maybe, yes, ...) to one occurrence. The token and path come from the environment:
--   TREFFPUNKT_TOKEN=... TREFFPUNKT_RSVP_PATH=/api/v1/events/4/occurrences/KEY/rsvp wrk -s ...
local answers = { "yes", "no", "maybe" }
local n = 0

wrk.method = "PUT"
wrk.path = os.getenv("TREFFPUNKT_RSVP_PATH")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TREFFPUNKT_TOKEN")
wrk.headers["Content-Type"] = "application/json"

request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"answer":"' .. answers[n % 3 + 1] .. '"}')
end
