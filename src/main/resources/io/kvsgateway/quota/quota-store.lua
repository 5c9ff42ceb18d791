-- The shared quota store: one stream's budgets, leases and token buckets, as LocalQuotaStore keeps them in memory.
-- Every call of RedisQuotaStore runs this script once, so each operation is one atomic step across replicas. The
-- arithmetic is LocalQuotaStore's, statement for statement, and must stay so (QuotaStoreContractTests runs both).
--
-- KEYS[1]  the stream's state, a hash: capacity of the last call (cm cd cu ce cvm cvd), reserved micro-points per
--          second (rm rd), token buckets as used + last refill (mu ml, du dl), the session-URL and data-endpoint
--          call logs as the concatenated times of the last second's calls (uu eu), the next sequence
--          number (seq), the number of leases (n), the latest reservation end ever added (hz), and
--          'l:<session>' lease records, 'v:<viewer>' viewer sums ("metadata media"), 'r:<budget>' rejection counts.
-- KEYS[2]  the ends of sustained reservations (a TAIL after the reservation's until), a sorted set with every score
--          0 so that members sort by bytes: at(20 digits) seq(20) kind('m' metadata, 'd' media) amount(20) session-length(10) session viewer.
-- ARGV[1]  the operation; ARGV[2] now; ARGV[3] milliseconds the state outlives its last reservation end.
--
-- Times are nanoseconds since the epoch as 20-digit strings, from the caller's clock. Lua numbers are doubles, exact
-- up to 2^53: times never become numbers whole, only differences of them (see diff), and micro-point amounts stay
-- far below 2^53. Integers are written back with %.0f so that no digit is lost.

local SECOND = 1e9
local MICRO = 1000000
local NANOS_PER_MILLI = 1000000
local NONE = '--------------------'
local FIELDS = { 'cm', 'cd', 'cu', 'ce', 'cvm', 'cvd', 'rm', 'rd', 'mu', 'ml', 'du', 'dl', 'uu', 'eu', 'seq', 'n',
	'hz' }
-- fields kept as strings: times, and call logs (times of 20 characters each)
local TIMES = { ml = true, dl = true, uu = true, eu = true, hz = true }

local S = {}
local created = 0

-- t + TAIL (LocalQuotaStore.TAIL, one second) as a time string
local function tail(t)
	return string.format('%011.0f', tonumber(string.sub(t, 1, 11)) + 1) .. string.sub(t, 12, 20)
end

-- a - b in nanoseconds: exact while under 2^53 ns (104 days), and never of the wrong sign
local function diff(a, b)
	return (tonumber(string.sub(a, 1, 11)) - tonumber(string.sub(b, 1, 11))) * SECOND
		+ (tonumber(string.sub(a, 12, 20)) - tonumber(string.sub(b, 12, 20)))
end

local function int(x)
	return string.format('%.0f', x)
end

local function pad(x)
	return string.format('%020.0f', x)
end

-- Loads the stream's state; a new stream starts with the caller's capacity and full buckets, as LocalQuotaStore's.
local function load(now, capacity)
	local values = redis.call('HMGET', KEYS[1], unpack(FIELDS))
	if not values[1] then
		if not capacity then
			return false
		end
		S = { cm = capacity[1], cd = capacity[2], cu = capacity[3], ce = capacity[4], cvm = capacity[5],
			cvd = capacity[6], rm = 0, rd = 0, mu = 0, ml = now, du = 0, dl = now, uu = '', eu = '', seq = 0, n = 0,
			hz = now }
		created = 1
		return true
	end
	for i, field in ipairs(FIELDS) do
		if TIMES[field] then
			S[field] = values[i] or '' -- a call log missing from state an older script wrote is empty
		else
			S[field] = tonumber(values[i])
		end
	end
	return true
end

local function save(now)
	local args = {}
	for _, field in ipairs(FIELDS) do
		args[#args + 1] = field
		if TIMES[field] then
			args[#args + 1] = S[field]
		else
			args[#args + 1] = int(S[field])
		end
	end
	redis.call('HSET', KEYS[1], unpack(args))
	-- Relative expiry, from the caller's own times: only the rate of Redis's clock matters, not its offset.
	local ttl = tonumber(ARGV[3])
	local ahead = diff(S.hz, now)
	if ahead > 0 then
		ttl = ttl + math.ceil(ahead / NANOS_PER_MILLI)
	end
	redis.call('PEXPIRE', KEYS[1], ttl)
	redis.call('PEXPIRE', KEYS[2], ttl)
end

local function metadata_rate()
	return math.max(0, S.cm - S.rm)
end

local function media_rate()
	return math.max(0, S.cd - S.rd)
end

local function nanos(amount, rate)
	return math.ceil(amount * SECOND / rate)
end

-- Bucket.refill
local function refill(used, last, t, rate)
	if diff(t, S[last]) > 0 then
		if S[used] > 0 then
			local left = S[used] - diff(t, S[last]) * rate / SECOND
			if left <= 0 then
				S[used] = 0
			else
				S[used] = math.ceil(left)
			end
		end
		S[last] = t
	end
end

-- LocalQuotaStore.Log: a call log is a string of 20-character times, oldest first
local function log_size(log)
	return #S[log] / 20
end

local function log_limit(rate)
	return math.max(1, math.floor(rate / MICRO))
end

-- Log.prune
local function prune(log, now)
	local times = S[log]
	local first = 1
	while first < #times and diff(now, string.sub(times, first, first + 19)) >= SECOND do
		first = first + 20
	end
	if first > 1 then
		S[log] = string.sub(times, first)
	end
end

-- Log.wait
local function log_wait(log, rate, now)
	local limit = log_limit(rate)
	local size = log_size(log)
	if size < limit then
		return 0
	end
	local i = size - limit
	return diff(string.sub(S[log], i * 20 + 1, i * 20 + 20), now) + SECOND
end

-- Log.add
local function log_add(log, rate, now)
	local times = S[log] .. now
	local limit = log_limit(rate)
	if #times > limit * 20 then
		times = string.sub(times, #times - limit * 20 + 1)
	end
	S[log] = times
end

local function parse(member)
	local length = tonumber(string.sub(member, 62, 71))
	return string.sub(member, 1, 20), string.sub(member, 41, 41), tonumber(string.sub(member, 42, 61)),
		string.sub(member, 72, 71 + length), string.sub(member, 72 + length)
end

local function member(at, seq, kind, amount, session, viewer)
	return at .. seq .. kind .. pad(amount) .. string.format('%010d', #session) .. session .. viewer
end

local function viewer_sums(viewer)
	local sums = redis.call('HGET', KEYS[1], 'v:' .. viewer)
	if not sums then
		return nil
	end
	local metadata, media = string.match(sums, '^(%S+) (%S+)$')
	return { tonumber(metadata), tonumber(media) }
end

-- A lease record: metadata until, metadata end's seq (NONE once ended), media until, media end's seq, metadata and
-- media per second, expires at, each 20 characters, then the viewer.
local function lease_record(session)
	return redis.call('HGET', KEYS[1], 'l:' .. session)
end

-- LocalQuotaStore.Stream.end
local function finish(kind, amount, session, viewer)
	local sums = viewer_sums(viewer)
	if kind == 'd' then
		S.rd = S.rd - amount
		if sums then
			sums[2] = sums[2] - amount
		end
	else
		S.rm = S.rm - amount
		if sums then
			sums[1] = sums[1] - amount
		end
	end
	if sums then
		if sums[1] <= 0 and sums[2] <= 0 then
			redis.call('HDEL', KEYS[1], 'v:' .. viewer)
		else
			redis.call('HSET', KEYS[1], 'v:' .. viewer, int(sums[1]) .. ' ' .. int(sums[2]))
		end
	end
	local record = lease_record(session)
	if record then
		if kind == 'd' then
			record = string.sub(record, 1, 60) .. NONE .. string.sub(record, 81)
		else
			record = string.sub(record, 1, 20) .. NONE .. string.sub(record, 41)
		end
		if string.sub(record, 21, 40) == NONE and string.sub(record, 61, 80) == NONE then
			redis.call('HDEL', KEYS[1], 'l:' .. session)
			S.n = S.n - 1
		else
			redis.call('HSET', KEYS[1], 'l:' .. session, record)
		end
	end
end

-- LocalQuotaStore.Stream.advance
local function advance(now)
	local upto = '(' .. now .. '~'
	local ended = redis.call('ZRANGEBYLEX', KEYS[2], '-', upto)
	for _, m in ipairs(ended) do
		local at, kind, amount, session, viewer = parse(m)
		refill('mu', 'ml', at, metadata_rate())
		refill('du', 'dl', at, media_rate())
		finish(kind, amount, session, viewer)
	end
	if #ended > 0 then
		redis.call('ZREMRANGEBYLEX', KEYS[2], '-', upto)
	end
	refill('mu', 'ml', now, metadata_rate())
	refill('du', 'dl', now, media_rate())
	prune('uu', now)
	prune('eu', now)
end

-- Calls visit(at, kind, amount, session, viewer) on every end in time order until it returns a value.
local function each_end(visit)
	local start = 0
	while true do
		local batch = redis.call('ZRANGE', KEYS[2], start, start + 99)
		if #batch == 0 then
			return nil
		end
		for _, m in ipairs(batch) do
			local result = visit(parse(m))
			if result then
				return result
			end
		end
		start = start + 100
	end
end

-- LocalQuotaStore.Stream.freedAfter
local function freed_after(kind, excess, viewer, now)
	local freed = 0
	return each_end(function(at, k, amount, session, v)
		if k == kind and (viewer == nil or viewer == v) then
			freed = freed + amount
			if freed >= excess then
				return diff(at, now)
			end
		end
		return nil
	end) or SECOND
end

-- LocalQuotaStore.Stream.untilFirstEnd
local function until_first_end(used, kind, now)
	return each_end(function(at, k, amount)
		if k == kind then
			local wait = diff(at, now)
			if S[used] > 0 then
				wait = wait + nanos(S[used], amount)
			end
			return wait
		end
		return nil
	end) or SECOND
end

-- LocalQuotaStore.Stream.bucketWait
local function bucket_wait(used, amount, sustained, rate, kind, now)
	local ceiling = rate - sustained
	if ceiling < 0 then
		return 0
	end
	if ceiling == 0 and amount > 0 then
		return until_first_end(used, kind, now)
	end
	local excess = S[used] + math.min(amount, ceiling) - ceiling
	if excess <= 0 then
		return 0
	end
	if rate > 0 then
		return nanos(excess, rate)
	end
	return until_first_end(used, kind, now)
end

-- LocalQuotaStore.Stream.use
local function use(now)
	local capacity = {}
	for i = 4, 9 do
		capacity[#capacity + 1] = tonumber(ARGV[i])
	end
	load(now, capacity)
	advance(now)
	S.cm, S.cd, S.cu, S.ce, S.cvm, S.cvd = unpack(capacity)
end

local function reserve(now)
	local session, viewer = ARGV[10], ARGV[11]
	local metadata, metadata_until = tonumber(ARGV[12]), ARGV[13]
	local media, media_until = tonumber(ARGV[14]), ARGV[15]
	local burst, expires_at = tonumber(ARGV[16]), ARGV[17]
	use(now)
	if lease_record(session) then
		save(now)
		return { 'held', created }
	end
	local full, wait = nil, 0
	local sums = viewer_sums(viewer)
	if metadata > 0 then
		local excess = S.rm + metadata - S.cm
		if excess > 0 then
			local freed = freed_after('m', excess, nil, now)
			if freed > wait then
				full, wait = 'FRAGMENT_METADATA', freed
			end
		end
		local viewer_excess = (sums and sums[1] or 0) + metadata - S.cvm
		if viewer_excess > 0 then
			local freed = freed_after('m', viewer_excess, viewer, now)
			if freed > wait then
				full, wait = 'VIEWER_SHARE', freed
			end
		end
	end
	if media > 0 then
		local excess = S.rd + media - S.cd
		if excess > 0 then
			local freed = freed_after('d', excess, nil, now)
			if freed > wait then
				full, wait = 'FRAGMENT_MEDIA', freed
			end
		end
		local viewer_excess = (sums and sums[2] or 0) + media - S.cvd
		if viewer_excess > 0 then
			local freed = freed_after('d', viewer_excess, viewer, now)
			if freed > wait then
				full, wait = 'VIEWER_SHARE', freed
			end
		end
	end
	if metadata > 0 or burst > 0 then
		local refill_wait = bucket_wait('mu', burst, metadata, metadata_rate(), 'm', now)
		if refill_wait > wait then
			full, wait = 'FRAGMENT_METADATA', refill_wait
		end
	end
	if media > 0 then
		local refill_wait = bucket_wait('du', 0, media, media_rate(), 'd', now)
		if refill_wait > wait then
			full, wait = 'FRAGMENT_MEDIA', refill_wait
		end
	end
	local url = log_wait('uu', S.cu, now)
	if url > wait then
		full, wait = 'SESSION_URLS', url
	end
	if full then
		save(now)
		return { 'rejected', created, full, wait }
	end
	-- LocalQuotaStore.Stream.grant
	local metadata_seq, media_seq = NONE, NONE
	if metadata > 0 and diff(metadata_until, now) > 0 then
		sums = sums or { 0, 0 }
		S.rm = S.rm + metadata
		sums[1] = sums[1] + metadata
		metadata_seq = pad(S.seq)
		S.seq = S.seq + 1
		redis.call('ZADD', KEYS[2], 0, member(tail(metadata_until), metadata_seq, 'm', metadata, session, viewer))
		if diff(tail(metadata_until), S.hz) > 0 then
			S.hz = tail(metadata_until)
		end
	end
	if media > 0 and diff(media_until, now) > 0 then
		sums = sums or { 0, 0 }
		S.rd = S.rd + media
		sums[2] = sums[2] + media
		media_seq = pad(S.seq)
		S.seq = S.seq + 1
		redis.call('ZADD', KEYS[2], 0, member(tail(media_until), media_seq, 'd', media, session, viewer))
		if diff(tail(media_until), S.hz) > 0 then
			S.hz = tail(media_until)
		end
	end
	S.mu = S.mu + burst
	log_add('uu', S.cu, now)
	local leased = 0
	if metadata_seq ~= NONE or media_seq ~= NONE then
		redis.call('HSET', KEYS[1], 'v:' .. viewer, int(sums[1]) .. ' ' .. int(sums[2]))
		redis.call('HSET', KEYS[1], 'l:' .. session, metadata_until .. metadata_seq .. media_until .. media_seq
			.. pad(metadata) .. pad(media) .. expires_at .. viewer)
		S.n = S.n + 1
		leased = 1
	end
	save(now)
	return { 'granted', created, leased }
end

-- LocalQuotaStore.release: the lease's reservations end a TAIL from now, or when they would have if sooner. A rollback
-- (ARGV[5] = 1) undoes a grant whose session the caller could not index: it ends them at once, and gives back the
-- burst (ARGV[6]) and the session-URL call.
local function release(now)
	local session, rollback = ARGV[4], ARGV[5] == '1'
	-- A lease already ended, or expired (draining its tail), leaves the stream untouched, as in LocalQuotaStore: an
	-- extra refill step would round its buckets differently.
	local record = lease_record(session)
	if not rollback and (not record or diff(now, string.sub(record, 121, 140)) >= 0) then
		return {}
	end
	if not load(now, nil) then
		return {}
	end
	advance(now)
	if rollback then
		S.mu = math.max(0, S.mu - tonumber(ARGV[6]))
		if #S.uu > 0 then
			S.uu = string.sub(S.uu, 1, #S.uu - 20)
		end
	end
	record = lease_record(session)
	if not record then
		save(now)
		return {}
	end
	local viewer = string.sub(record, 141)
	local metadata, media = tonumber(string.sub(record, 81, 100)), tonumber(string.sub(record, 101, 120))
	local metadata_until, metadata_seq = string.sub(record, 1, 20), string.sub(record, 21, 40)
	local media_until, media_seq = string.sub(record, 41, 60), string.sub(record, 61, 80)
	local result = { viewer, int(metadata), int(media), media_until, string.sub(record, 121, 140) }
	if rollback then
		if metadata_seq ~= NONE then
			redis.call('ZREM', KEYS[2], member(tail(metadata_until), metadata_seq, 'm', metadata, session, viewer))
			finish('m', metadata, session, viewer)
		end
		if media_seq ~= NONE then
			redis.call('ZREM', KEYS[2], member(tail(media_until), media_seq, 'd', media, session, viewer))
			finish('d', media, session, viewer)
		end
		save(now)
		return result
	end
	if metadata_seq ~= NONE and diff(metadata_until, now) > 0 then
		redis.call('ZREM', KEYS[2], member(tail(metadata_until), metadata_seq, 'm', metadata, session, viewer))
		redis.call('ZADD', KEYS[2], 0, member(tail(now), metadata_seq, 'm', metadata, session, viewer))
		metadata_until = now
	end
	if media_seq ~= NONE and diff(media_until, now) > 0 then
		redis.call('ZREM', KEYS[2], member(tail(media_until), media_seq, 'd', media, session, viewer))
		redis.call('ZADD', KEYS[2], 0, member(tail(now), media_seq, 'd', media, session, viewer))
		media_until = now
	end
	redis.call('HSET', KEYS[1], 'l:' .. session, metadata_until .. metadata_seq .. media_until .. media_seq
		.. string.sub(record, 81))
	save(now)
	return result
end

local function acquire(now)
	local budget = ARGV[10]
	use(now)
	local used, rate = 'uu', S.cu
	if budget == 'DATA_ENDPOINT' then
		used, rate = 'eu', S.ce
	end
	local wait = log_wait(used, rate, now)
	if wait > 0 then
		save(now)
		return { 'rejected', created, budget, wait }
	end
	log_add(used, rate, now)
	save(now)
	return { 'acquired', created }
end

local function debit(now)
	local metadata, media = tonumber(ARGV[10]), tonumber(ARGV[11])
	use(now)
	local metadata_wait, media_wait = 0, 0
	if metadata > 0 then
		metadata_wait = bucket_wait('mu', metadata, 0, metadata_rate(), 'm', now)
	end
	if media > 0 then
		media_wait = bucket_wait('du', media, 0, media_rate(), 'd', now)
	end
	if metadata_wait > 0 or media_wait > 0 then
		save(now)
		if metadata_wait >= media_wait then
			return { 'rejected', created, 'FRAGMENT_METADATA', metadata_wait }
		end
		return { 'rejected', created, 'FRAGMENT_MEDIA', media_wait }
	end
	S.mu = S.mu + metadata
	S.du = S.du + media
	save(now)
	return { 'acquired', created }
end

-- Counts a rejection for a stream the store tracks; ARGV[4] the budget.
local function rejected()
	if redis.call('EXISTS', KEYS[1]) == 1 then
		redis.call('HINCRBY', KEYS[1], 'r:' .. ARGV[4], 1)
	end
	return {}
end

-- The stream's budgets now (LocalQuotaStore.Stream.quota), then the rejection counts of the budgets ARGV[4..].
local function snapshot(now)
	if not load(now, nil) then
		return {}
	end
	advance(now)
	save(now)
	local result = { S.cm, S.cd, S.cu, S.ce, S.rm, S.rd, S.mu, S.du, log_size('uu') * MICRO, log_size('eu') * MICRO,
		S.n }
	for i = 4, #ARGV do
		result[#result + 1] = tonumber(redis.call('HGET', KEYS[1], 'r:' .. ARGV[i]) or '0')
	end
	return result
end

local operation, now = ARGV[1], ARGV[2]
if operation == 'reserve' then
	return reserve(now)
elseif operation == 'release' then
	return release(now)
elseif operation == 'acquire' then
	return acquire(now)
elseif operation == 'debit' then
	return debit(now)
elseif operation == 'rejected' then
	return rejected()
elseif operation == 'snapshot' then
	return snapshot(now)
end
return redis.error_reply('unknown quota store operation ' .. tostring(operation))
