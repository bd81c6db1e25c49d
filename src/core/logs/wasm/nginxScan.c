// nginx error.log line scanner, compiled to WebAssembly (SIMD128) by scripts/build-wasm.js into
// dist/nginxScan.wasm. It does, over raw bytes, what nginxError.ts classify() does per line, for the lines
// it can do exactly: pure-ASCII lines no longer than the line cap. Every other line ("odd": non-ASCII,
// over-long, or a line that needs a table that is full) is handed back to JavaScript, which classifies it
// with the ordinary classifier. The verdict of a message kernel always comes from JavaScript (js_verdict,
// nginxError.ts judge()), once per distinct kernel, so the rules live in one place.
//
// Counts are kept per (upstream, verdict slot) and per (minute, verdict slot) with the position of the
// first line that added to them; JavaScript turns those into the aggregator's state (LogAggregator.
// mergeAtoms), which is exact because the aggregator's state depends only on counts and on the order of
// first occurrences. Lines that become stored findings are handed back too (first N per slot) and are
// classified in full by JavaScript.
#include <stdint.h>
#include <wasm_simd128.h>

typedef uint8_t u8;
typedef uint32_t u32;
typedef int32_t i32;
typedef uint64_t u64;

#define CAP (8u << 20)
#define PAD 256u

// JavaScript: the verdict slot (0..63) of the kernel at [p, p+len), or -1 when it is not a failure.
__attribute__((import_module("env"), import_name("js_verdict"))) i32 js_verdict(u32 p, u32 len);

static u8 inbuf[CAP + PAD] __attribute__((aligned(16)));

// ---- outputs of one scan() call ----
#define OUT_MAX 16384u
static u32 odd[OUT_MAX * 3];   // line start, newline position (or end of data), line number
static u32 n_odd;
static u32 cand[OUT_MAX * 3];  // line start, line end (CR dropped), line number
static u32 n_cand;

// ---- settings / state ----
static u32 max_line = 65536;
static u32 max_cand = 200;
static u32 cur_block;
static u32 cur_line;
static u32 cand_per_slot[64];

// ---- tables ----
typedef struct { u32 off, len, hash; i32 verdict; u32 gate; } Kernel;
#define K_MAX 8192u
#define K_SLOTS 16384u
#define K_ARENA (1u << 20)
static Kernel kernels[K_MAX];
static u32 n_kernels;
static u32 k_slots[K_SLOTS];
static u8 k_arena[K_ARENA];
static u32 k_arena_used;

typedef struct { u32 off, len, hash; } Key;
#define U_MAX 8192u
#define U_SLOTS 16384u
#define U_ARENA (512u << 10)
static Key ups[U_MAX];
static u32 n_ups;
static u32 u_slots[U_SLOTS];
static u8 u_arena[U_ARENA];
static u32 u_arena_used;

#define M_MAX 65536u
#define M_SLOTS 131072u
static u8 minutes[M_MAX * 16];
static u32 m_hash[M_MAX];
static u32 n_minutes;
static u32 m_slots[M_SLOTS];

// A count cell: key id, verdict slot, count, first line (line number in block, block).
typedef struct { u32 id, v, count, line, block; } Cell;
#define C_MAX 262144u
#define C_SLOTS 524288u
static Cell ucells[C_MAX];
static u32 n_ucells;
static u32 uc_slots[C_SLOTS];
static Cell mcells[C_MAX];
static u32 n_mcells;
static u32 mc_slots[C_SLOTS];

static inline u64 load64(const u8 *p) {
  u64 x;
  __builtin_memcpy(&x, p, 8);
  return x;
}

static u32 hash_bytes(const u8 *p, u32 n) {
  u64 h = 0x9E3779B97F4A7C15ull ^ n;
  u32 i = 0;
  for (; i + 8 <= n; i += 8) {
    h ^= load64(p + i);
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  if (i < n) {
    u64 t = 0;
    __builtin_memcpy(&t, p + i, n - i);
    h ^= t;
    h *= 0xc4ceb9fe1a85ec53ull;
  }
  h ^= h >> 29;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 32;
  return (u32)h;
}

static int same_bytes(const u8 *a, const u8 *b, u32 n) {
  u32 i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t x = wasm_v128_load(a + i), y = wasm_v128_load(b + i);
    if (wasm_i8x16_bitmask(wasm_i8x16_eq(x, y)) != 0xffff) return 0;
  }
  for (; i < n; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

/** First index i in [from, end - m] with p[i..i+m) == pat, or -1 (the match must end inside the range). */
static i32 find(const u8 *p, i32 from, i32 end, const char *pat, i32 m) {
  if (from < 0) from = 0;
  if (end - from < m) return -1;
  const v128_t first = wasm_i8x16_splat(pat[0]);
  const v128_t last = wasm_i8x16_splat(pat[m - 1]);
  for (i32 i = from; i + m <= end; i += 16) {
    v128_t a = wasm_v128_load(p + i);
    v128_t b = wasm_v128_load(p + i + m - 1);
    u32 mask = (u32)wasm_i8x16_bitmask(wasm_v128_and(wasm_i8x16_eq(a, first), wasm_i8x16_eq(b, last)));
    i32 room = end - m - i + 1; // positions i..i+room-1 may start a match
    if (room < 16) mask &= (1u << room) - 1;
    while (mask) {
      i32 k = __builtin_ctz(mask);
      i32 j = 1;
      while (j < m - 1 && p[i + k + j] == (u8)pat[j]) j++;
      if (j >= m - 1) return i + k;
      mask &= mask - 1;
    }
  }
  return -1;
}

static i32 find_byte(const u8 *p, i32 from, i32 end, u8 c) {
  const v128_t cv = wasm_i8x16_splat(c);
  for (i32 i = from; i < end; i += 16) {
    u32 mask = (u32)wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(p + i), cv));
    i32 room = end - i;
    if (room < 16) mask &= (1u << room) - 1;
    if (mask) return i + __builtin_ctz(mask);
  }
  return -1;
}

/** OTHER_FAILURES in nginxError.ts, over the whole line. */
static int other_failures(const u8 *p, i32 s, i32 e) {
#define TRY(lit) if (find(p, s, e, lit, sizeof(lit) - 1) >= 0) return 1
  TRY("worker_connections");
  TRY("could not be resolved");
  TRY("no resolver");
  TRY("intended to send too large");
  TRY("limiting ");
  TRY("Too many open");
  TRY("Permission denied");
  TRY("Cannot assign");
  TRY("host not found");
#undef TRY
  return 0;
}

// ---- table lookups; each returns -1 when the table is full (the line then goes to JavaScript) ----

static i32 kernel_find(const u8 *k, u32 len, u32 h) {
  for (u32 s = h & (K_SLOTS - 1);; s = (s + 1) & (K_SLOTS - 1)) {
    u32 x = k_slots[s];
    if (!x) return -(i32)s - 2; // empty slot s
    Kernel *e = &kernels[x - 1];
    if (e->hash == h && e->len == len && same_bytes(k_arena + e->off, k, len)) return (i32)(x - 1);
  }
}

static i32 key_id(const u8 *k, u32 len) {
  u32 h = hash_bytes(k, len);
  u32 s = h & (U_SLOTS - 1);
  for (;; s = (s + 1) & (U_SLOTS - 1)) {
    u32 x = u_slots[s];
    if (!x) break;
    Key *e = &ups[x - 1];
    if (e->hash == h && e->len == len && same_bytes(u_arena + e->off, k, len)) return (i32)(x - 1);
  }
  if (n_ups >= U_MAX || u_arena_used + len + 16 > U_ARENA) return -1;
  Key *e = &ups[n_ups];
  e->off = u_arena_used;
  e->len = len;
  e->hash = h;
  __builtin_memcpy(u_arena + u_arena_used, k, len);
  u_arena_used += len;
  u_slots[s] = ++n_ups;
  return (i32)(n_ups - 1);
}

static i32 minute_id(const u8 *key16) {
  u64 a = load64(key16), b = load64(key16 + 8);
  u64 h64 = (a * 0x9E3779B97F4A7C15ull) ^ (b * 0xc4ceb9fe1a85ec53ull);
  h64 ^= h64 >> 31;
  u32 h = (u32)(h64 ^ (h64 >> 32));
  u32 s = h & (M_SLOTS - 1);
  for (;; s = (s + 1) & (M_SLOTS - 1)) {
    u32 x = m_slots[s];
    if (!x) break;
    if (m_hash[x - 1] == h && load64(minutes + (x - 1) * 16) == a && load64(minutes + (x - 1) * 16 + 8) == b) return (i32)(x - 1);
  }
  if (n_minutes >= M_MAX) return -1;
  __builtin_memcpy(minutes + n_minutes * 16, key16, 16);
  m_hash[n_minutes] = h;
  m_slots[s] = ++n_minutes;
  return (i32)(n_minutes - 1);
}

/** The cell for (id, v), created with this line as its first; NULL when the table is full. */
static Cell *cell(Cell *cells, u32 *n, u32 *slots, u32 id, u32 v) {
  u32 key = id * 64u + v;
  u32 h = key * 0x9E3779B1u;
  h ^= h >> 15;
  for (u32 s = h & (C_SLOTS - 1);; s = (s + 1) & (C_SLOTS - 1)) {
    u32 x = slots[s];
    if (!x) {
      if (*n >= C_MAX) return 0;
      Cell *c = &cells[*n];
      c->id = id;
      c->v = v;
      c->count = 0;
      c->line = cur_line;
      c->block = cur_block;
      slots[s] = ++*n;
      return c;
    }
    Cell *c = &cells[x - 1];
    if (c->id == id && c->v == v) return c;
  }
}

// ---- exports ----

__attribute__((export_name("buf"))) u8 *buf(void) { return inbuf; }
__attribute__((export_name("cap"))) u32 cap(void) { return CAP; }
__attribute__((export_name("setup"))) void setup(u32 max_findings, u32 max_line_length) {
  max_cand = max_findings;
  max_line = max_line_length;
}
__attribute__((export_name("begin_block"))) void begin_block(u32 block) {
  cur_block = block;
  cur_line = 0;
}
__attribute__((export_name("lines"))) u32 lines(void) { return cur_line; }
/** A line JavaScript read itself (longer than the buffer): its number. */
__attribute__((export_name("skip_line"))) u32 skip_line(void) { return ++cur_line; }
__attribute__((export_name("odd_ptr"))) u32 *odd_ptr(void) { return odd; }
__attribute__((export_name("odd_count"))) u32 odd_count(void) { return n_odd; }
__attribute__((export_name("cand_ptr"))) u32 *cand_ptr(void) { return cand; }
__attribute__((export_name("cand_count"))) u32 cand_count(void) { return n_cand; }
__attribute__((export_name("ucells_ptr"))) Cell *ucells_ptr(void) { return ucells; }
__attribute__((export_name("ucells_count"))) u32 ucells_count(void) { return n_ucells; }
__attribute__((export_name("mcells_ptr"))) Cell *mcells_ptr(void) { return mcells; }
__attribute__((export_name("mcells_count"))) u32 mcells_count(void) { return n_mcells; }
__attribute__((export_name("ups_ptr"))) Key *ups_ptr(void) { return ups; }
__attribute__((export_name("ups_count"))) u32 ups_count(void) { return n_ups; }
__attribute__((export_name("ups_arena"))) u8 *ups_arena(void) { return u_arena; }
__attribute__((export_name("minutes_ptr"))) u8 *minutes_ptr(void) { return minutes; }
__attribute__((export_name("minutes_count"))) u32 minutes_count(void) { return n_minutes; }

#define ODD(s, nl)                  \
  do {                              \
    odd[n_odd * 3] = (s);           \
    odd[n_odd * 3 + 1] = (nl);      \
    odd[n_odd * 3 + 2] = cur_line;  \
    n_odd++;                        \
  } while (0)

/**
 * One line [s, e) (CR dropped), pure ASCII and within the cap, numbered cur_line. Returns 0 when done
 * (event counted or no event), 1 when the line must go to JavaScript.
 */
static int line(const u8 *p, i32 s, i32 e) {
  i32 n = e - s;
  if (n < 30 || p[s + 4] != '/' || p[s + 20] != '[') return 0;
  if (p[s + 21] == 'd' && p[s + 22] == 'e' && p[s + 23] == 'b' && p[s + 24] == 'u' && p[s + 25] == 'g') return 0;
  i32 start = find(p, s + 22, e, ": ", 2);
  if (start < 0) return 0;
  start += 2;
  if (start < e && p[start] == '*') {
    i32 sp = find_byte(p, start, e, ' ');
    if (sp >= 0) start = sp + 1;
  }
  i32 end = find(p, start, e, ", client: ", 10);
  if (end < 0) end = e;
  u32 klen = (u32)(end - start);
  u32 h = hash_bytes(p + start, klen);
  i32 ki = kernel_find(p + start, klen, h);
  i32 verdict;
  if (ki >= 0) {
    Kernel *k = &kernels[ki];
    verdict = k->verdict;
    if (verdict < 0) return 0;
    if (!k->gate && !other_failures(p, s, e)) return 0;
  } else {
    i32 up = find(p, start, e, "upstream", 8);
    int gate = up >= 0 && up < end;
    if (!gate && !other_failures(p, s, e)) return 0;
    if (n_kernels >= K_MAX || k_arena_used + klen > K_ARENA) return 1;
    verdict = js_verdict((u32)(p + start), klen);
    if (verdict < -1) return 1;
    u32 slot = (u32)(-ki - 2);
    Kernel *k = &kernels[n_kernels];
    k->off = k_arena_used;
    k->len = klen;
    k->hash = h;
    k->verdict = verdict;
    k->gate = (u32)(find(p, start, end, "upstream", 8) >= 0 || other_failures(p, start, end));
    __builtin_memcpy(k_arena + k_arena_used, p + start, klen);
    k_arena_used += klen;
    k_slots[slot] = ++n_kernels;
    if (verdict < 0) return 0;
  }
  // The event. Upstream: ` upstream: "` after the kernel, up to the next quote, cut as upstreamAddress().
  i32 uid = -1;
  i32 u = find(p, end, e, " upstream: \"", 12);
  if (u >= 0) {
    i32 from = u + 12;
    i32 q = find_byte(p, from, e, '"');
    if (q >= 0) {
      i32 scheme = find(p, from, q, "://", 3);
      i32 host = scheme < 0 ? from : scheme + 3;
      i32 a = q;
      if (host + 5 <= q && p[host] == 'u' && p[host + 1] == 'n' && p[host + 2] == 'i' && p[host + 3] == 'x' && p[host + 4] == ':') {
        i32 colon = find_byte(p, host + 5, q, ':');
        if (colon >= 0) a = colon;
      } else {
        i32 slash = find_byte(p, host, q, '/');
        if (slash >= 0) a = slash;
      }
      if (a > from) {
        uid = key_id(p + from, (u32)(a - from));
        if (uid < 0) return 1;
      }
    }
  }
  u8 mk[16];
  __builtin_memcpy(mk, p + s, 16);
  mk[4] = '-';
  mk[7] = '-';
  mk[10] = 'T';
  i32 mid = minute_id(mk);
  if (mid < 0) return 1;
  // Reserve both cells before counting, so a full table leaves nothing half counted.
  if (n_ucells + 1 >= C_MAX || n_mcells + 1 >= C_MAX) return 1;
  if (uid >= 0) cell(ucells, &n_ucells, uc_slots, (u32)uid, (u32)verdict)->count++;
  cell(mcells, &n_mcells, mc_slots, (u32)mid, (u32)verdict)->count++;
  if (cand_per_slot[verdict] < max_cand) {
    cand_per_slot[verdict]++;
    cand[n_cand * 3] = (u32)s;
    cand[n_cand * 3 + 1] = (u32)e;
    cand[n_cand * 3 + 2] = cur_line;
    n_cand++;
  }
  return 0;
}

/**
 * Scans the lines of inbuf[from, to). Without `final`, the bytes after the last newline are left (the
 * return value is where they start). Stops early, at a line start, when an output array is nearly full.
 */
__attribute__((export_name("scan"))) u32 scan(u32 from, u32 to, u32 final) {
  const u8 *p = inbuf;
  n_odd = 0;
  n_cand = 0;
  // Zero padding after the data: the SIMD loads may read past `to`, never past the buffer.
  i32 s = (i32)from;
  const i32 end = (i32)to;
  const v128_t nlv = wasm_i8x16_splat('\n');
  while (s < end) {
    if (n_odd >= OUT_MAX - 1 || n_cand >= OUT_MAX - 1) break;
    // Newline search, with a check that the line is pure ASCII on the way.
    i32 i = s;
    u32 high = 0;
    i32 nl = -1;
    for (; i < end; i += 16) {
      v128_t v = wasm_v128_load(p + i);
      u32 m = (u32)wasm_i8x16_bitmask(wasm_i8x16_eq(v, nlv));
      u32 hb = (u32)wasm_i8x16_bitmask(v);
      i32 room = end - i;
      if (room < 16) {
        m &= (1u << room) - 1;
        hb &= (1u << room) - 1;
      }
      if (m) {
        i32 k = __builtin_ctz(m);
        nl = i + k;
        high |= hb & ((1u << k) - 1);
        break;
      }
      high |= hb;
    }
    if (nl < 0) {
      if (!final) break;
      nl = end;
    }
    cur_line++;
    i32 e = nl;
    if (e > s && p[e - 1] == '\r') e--;
    if (high || (u32)(e - s) > max_line || line(p, s, e)) ODD((u32)s, (u32)nl);
    s = nl + 1;
  }
  return s > end ? (u32)end : (u32)s;
}
