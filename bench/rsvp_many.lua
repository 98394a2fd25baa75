-- wrk script for bench/writes.sh: PUT .../rsvp as many members, each request the next member
-- (round robin over the tokens in the file TREFFPUNKT_TOKENS, one per line) changing their
-- answer (yes, no, maybe, ...) to one occurrence (TREFFPUNKT_RSVP_PATH). Each wrk thread starts
-- at its own place in the list, so that threads do not send the same member at once.
local tokens = {}
local answers = { "yes", "no", "maybe" }
local n = 0
local thread_count = 0

function setup(thread)
  thread:set("offset", thread_count * 7919)
  thread_count = thread_count + 1
end

function init(args)
  for line in io.lines(os.getenv("TREFFPUNKT_TOKENS")) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  n = offset or 0
end

wrk.method = "PUT"
wrk.path = os.getenv("TREFFPUNKT_RSVP_PATH")
wrk.headers["Content-Type"] = "application/json"

request = function()
  n = n + 1
  local token = tokens[n % #tokens + 1]
  local answer = answers[math.floor(n / #tokens) % 3 + 1]
  return wrk.format(nil, nil, { ["Authorization"] = "Bearer " .. token,
                                ["Content-Type"] = "application/json" },
                    '{"answer":"' .. answer .. '"}')
end
