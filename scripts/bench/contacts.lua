-- wrk script for scripts/bench-contacts: every request is PUT /v1/contacts/<fresh UUID v4>
-- with a new person and a realistic record (sealed name, phone, address, location, ~300
-- characters of notes, needs and services, a free-text referral, a follow-up, consent and a
-- Lethality Screen that does not screen in), so every request creates a contact (201).
-- Anything but 201 is counted and reported by done() as "fl-bench bad N first STATUS".
-- Environment (set by scripts/bench-contacts): FL_BENCH_TOKEN, FL_BENCH_SEED.
-- With FL_BENCH_SAMPLE_OUT=FILE the script writes "ID\nBODY" of one request to FILE and
-- makes wrk exit before it connects (the body the benchmark sends, for a check with curl).

local seed = tonumber(os.getenv("FL_BENCH_SEED") or "") or os.time()

local function hex(digits)
  -- math.random is exact up to 2^31 here; build wide values from 16-bit pieces.
  local s = ""
  for _ = 1, math.ceil(digits / 4) do
    s = s .. string.format("%04x", math.random(0, 0xffff))
  end
  return s:sub(1, digits)
end

local function uuid4()
  return string.format("%s-%s-4%s-%x%s-%s", hex(8), hex(4), hex(3),
    math.random(8, 11), hex(3), hex(12))
end

local function pick(t) return t[math.random(1, #t)] end

local first = { "María", "Jasmine", "Ana", "Tanya", "Keisha", "Linh", "Rosa", "Emily",
  "Fatima", "Dana", "Brianna", "Guadalupe", "Olivia", "Sofía", "Nicole", "Amara" }
local last = { "Quintana", "Nguyen", "Johnson", "Okafor", "García", "Smith", "Begay",
  "Martínez", "Williams", "Kowalski", "Haddad", "Robinson", "Lopez", "Chen", "Brown" }
local streets = { "Maple St", "Colfax Ave", "Federal Blvd", "Broadway", "Elm Ct",
  "Sheridan Blvd", "Alameda Ave", "Pearl St", "Downing St", "Kipling St" }
local settings = { "on_scene", "hospital", "phone", "office" }
local needs = { { "housing", "legal_advocacy" }, { "emergency_shelter", "transportation" },
  { "protection_order", "counselling" }, { "housing", "childcare", "financial" } }
local services = { { "safety_planning", "crisis_counselling" }, { "safety_planning" },
  { "crisis_counselling", "information_referral", "safety_planning" } }
local note_parts = {
  "Met at the scene after the police call; the victim was calm but shaken and asked that we not call her work number.",
  "Partner left before officers arrived; he has a key to the apartment and she is worried he will come back tonight.",
  "Two children at home (4 and 7) with her sister for now. She wants to stay with her sister until she can change the locks.",
  "Discussed the protection order process and court dates; she wants to think about it and talk with her sister first.",
  "Prefers text messages in the afternoon. No voicemail. Spanish is fine but she is comfortable in English.",
}

local function notes()
  local a = math.random(1, #note_parts)
  local b = a % #note_parts + 1
  local c = b % #note_parts + 1
  return note_parts[a] .. " " .. note_parts[b] .. " " .. note_parts[c]
end

-- Lethality Screen: 11 answers. Questions 1-3 "no" (a yes there screens in); among 4-11 at
-- most two "yes" (four or more screen in) and sometimes one not answered: never screened in,
-- so no alert is owed.
local function lap_answers()
  local a = {}
  for i = 1, 11 do a[i] = '"no"' end
  for _ = 1, math.random(0, 2) do a[math.random(4, 11)] = '"yes"' end
  if math.random() < 0.3 then a[math.random(4, 11)] = '"not_answered"' end
  return table.concat(a, ",")
end

local function json_str(s)
  return '"' .. s:gsub('[%c"\\]', function(ch)
    return string.format("\\u%04x", ch:byte())
  end) .. '"'
end

local function json_list(t)
  local out = {}
  for i, v in ipairs(t) do out[i] = json_str(v) end
  return "[" .. table.concat(out, ",") .. "]"
end

-- One request: the contact id and its JSON body (field names as in wire/src/contacts.rs).
local function contact()
  local now = os.time()
  local name = pick(first) .. " " .. pick(last)
  local body = string.format([[{"occurred_at":"%s","setting":"%s","incident_type":"domestic_violence",]]
    .. [["location":{"latitude":%.5f,"longitude":%.5f,"precision_m":%d},]]
    .. [["person":{"id":"%s","pseudonym":%s,"name":%s,"phone":"+1720555%04d","address":"%d %s, Denver, CO 802%02d"},]]
    .. [["needs":%s,"services":%s,]]
    .. [["referrals":[{"id":"%s","free_text":"Rose Andom Center, walk-in Monday to Friday 8-5; ask for the legal advocate"}],]]
    .. [["follow_ups":[{"id":"%s","task":"Call back about the protection order hearing and shelter space","due_on":"%s"}],]]
    .. [["notes":%s,"consent":{"share_with":["shelter","legal_aid"],"until":"%s"},"status":"open",]]
    .. [["screenings":[{"id":"%s","screening":{"instrument":"lap","answers":[%s]}}]}]],
    os.date("!%Y-%m-%dT%H:%M:%SZ", now - math.random(600, 7200)),
    pick(settings),
    39.6 + 0.3 * math.random(), -105.1 + 0.3 * math.random(), pick({ 10, 50, 1000 }),
    uuid4(), json_str("P-" .. hex(6)), json_str(name),
    math.random(0, 9999), math.random(100, 9999), pick(streets), math.random(1, 40),
    json_list(pick(needs)), json_list(pick(services)),
    uuid4(),
    uuid4(), os.date("!%Y-%m-%d", now + 7 * 86400),
    json_str(notes()), os.date("!%Y-%m-%d", now + 180 * 86400),
    uuid4(), lap_answers())
  return uuid4(), body
end

local sample = os.getenv("FL_BENCH_SAMPLE_OUT")
if sample and sample ~= "" then
  math.randomseed(seed)
  local id, body = contact()
  local f = assert(io.open(sample, "w"))
  f:write(id, "\n", body)
  f:close()
  os.exit(0)
end

local token = os.getenv("FL_BENCH_TOKEN") or error("FL_BENCH_TOKEN is not set")

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads) -- a global in that thread's own Lua state
end

function init(args)
  -- Each wrk thread has its own Lua state: seed each differently, and each run differently.
  math.randomseed(seed + (id or 0) * 7919)
  bad, first_bad = 0, 0
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"
end

function request()
  local cid, body = contact()
  return wrk.format("PUT", "/v1/contacts/" .. cid, nil, body)
end

function response(status, headers, body)
  if status ~= 201 then
    bad = bad + 1
    if first_bad == 0 then first_bad = status end
  end
end

function done(summary, latency, requests)
  local n, first_status = 0, 0
  for _, t in ipairs(threads) do
    n = n + (t:get("bad") or 0)
    if first_status == 0 then first_status = t:get("first_bad") or 0 end
  end
  io.write(string.format("fl-bench bad %d first %d\n", n, first_status))
end
