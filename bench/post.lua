-- wrk script: POST a new comment per request, spread over 20 pages.
local counter = 0
request = function()
  counter = counter + 1
  local page = "/bench-write-" .. (counter % 20)
  local body = '{"page":"' .. page .. '","author_name":"Bench","body":"Comment number ' ..
      counter .. ' with **some** Markdown and a link https://example.com/' .. counter .. '"}'
  return wrk.format("POST", "/api/v1/comments", {["Content-Type"] = "application/json"}, body)
end
