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
static u32 cand[OUT_MAX * 4];  // line start, line end (CR dropped), line number, verdict slot
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

// Bitmaps over the buffer, one bit a byte, built once per scan() call: newlines, commas, quotes (and whether
// any byte is >= 0x80). Lines, the `, client: ` after the kernel and the quotes around the upstream are found from them.
#define WORDS (CAP / 64 + 8)
static u64 nl_bits[WORDS], comma_bits[WORDS], quote_bits[WORDS];

/** Index of the first set bit at or after `from` and before `to`, or -1. */
static inline i32 next_bit(const u64 *bits, i32 from, i32 to) {
  if (from >= to) return -1;
  i32 w = from >> 6;
  u64 m = bits[w] & (~0ull << (from & 63));
  while (!m) {
    w++;
    if (w * 64 >= to) return -1;
    m = bits[w];
  }
  i32 i = w * 64 + __builtin_ctzll(m);
  return i < to ? i : -1;
}

static u64 any_high; // some byte >= 0x80 in the range build_bits() last saw

/** A byte >= 0x80 in p[s, e) (only asked when the range has one somewhere). */
static int has_high(const u8 *p, i32 s, i32 e) {
  i32 i = s;
  for (; i + 16 <= e; i += 16)
    if (wasm_i8x16_bitmask(wasm_v128_load(p + i))) return 1;
  for (; i < e; i++)
    if (p[i] & 0x80) return 1;
  return 0;
}

static void build_bits(const u8 *p, i32 from, i32 to) {
  u64 all_high = 0;
  const v128_t nl = wasm_i8x16_splat('\n'), comma = wasm_i8x16_splat(','), quote = wasm_i8x16_splat('"');
  for (i32 w = from >> 6, last = (to + 63) >> 6; w < last; w++) {
    const u8 *q = p + w * 64;
    u64 n = 0, c = 0, d = 0;
    v128_t hv = wasm_i8x16_splat(0);
    for (int k = 0; k < 4; k++) {
      v128_t v = wasm_v128_load(q + k * 16);
      n |= (u64)(u32)wasm_i8x16_bitmask(wasm_i8x16_eq(v, nl)) << (k * 16);
      c |= (u64)(u32)wasm_i8x16_bitmask(wasm_i8x16_eq(v, comma)) << (k * 16);
      d |= (u64)(u32)wasm_i8x16_bitmask(wasm_i8x16_eq(v, quote)) << (k * 16);
      hv = wasm_v128_or(hv, v);
    }
    nl_bits[w] = n;
    comma_bits[w] = c;
    quote_bits[w] = d;
    all_high |= (u64)(u32)wasm_i8x16_bitmask(hv);
  }
  any_high = all_high;
}

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
    // The tail: the last 8 bytes (overlapping what came before), or byte by byte for short keys.
    u64 t = 0;
    if (n >= 8) t = load64(p + n - 8);
    else
      for (u32 j = i; j < n; j++) t = (t << 8) | p[j];
    h ^= t;
    h *= 0xc4ceb9fe1a85ec53ull;
  }
  h ^= h >> 29;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 32;
  return (u32)h;
}

/** Hash of a kernel from its length and 32 of its bytes (start, middle, end); the table compares in full. */
static inline u32 kernel_hash(const u8 *p, u32 n) {
  if (n < 16) return hash_bytes(p, n);
  u64 h = (load64(p) * 0x9E3779B97F4A7C15ull) ^ (load64(p + 8) * 0xc4ceb9fe1a85ec53ull);
  h ^= (load64(p + n / 2 - 4) ^ ((u64)n << 40)) * 0xff51afd7ed558ccdull;
  h ^= load64(p + n - 8) * 0x94d049bb133111ebull;
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ull;
  return (u32)(h ^ (h >> 32));
}

static int same_bytes(const u8 *a, const u8 *b, u32 n) {
  u32 i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t x = wasm_v128_load(a + i), y = wasm_v128_load(b + i);
    if (!wasm_i8x16_all_true(wasm_i8x16_eq(x, y))) return 0;
  }
  if (i < n && n >= 16) return wasm_i8x16_all_true(wasm_i8x16_eq(wasm_v128_load(a + n - 16), wasm_v128_load(b + n - 16)));
  if (i < n && n >= 8) return load64(a + i) == load64(b + i) && load64(a + n - 8) == load64(b + n - 8);
  for (; i < n; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

/**
 * First index i in [from, end - m] with p[i..i+m) == pat, or -1 (the match must end inside the range).
 * Candidates are the positions where the pattern's bytes at offsets a1 and a2 match (chosen to be rare).
 */
static inline i32 find2(const u8 *p, i32 from, i32 end, const char *pat, i32 m, i32 a1, i32 a2) {
  if (from < 0) from = 0;
  if (end - from < m) return -1;
  const v128_t c1 = wasm_i8x16_splat(pat[a1]);
  const v128_t c2 = wasm_i8x16_splat(pat[a2]);
  for (i32 i = from; i + m <= end; i += 16) {
    v128_t a = wasm_v128_load(p + i + a1);
    v128_t b = wasm_v128_load(p + i + a2);
    u32 mask = (u32)wasm_i8x16_bitmask(wasm_v128_and(wasm_i8x16_eq(a, c1), wasm_i8x16_eq(b, c2)));
    i32 room = end - m - i + 1; // positions i..i+room-1 may start a match
    if (room < 16) mask &= (1u << room) - 1;
    while (mask) {
      i32 k = __builtin_ctz(mask);
      i32 j = 0;
      while (j < m && p[i + k + j] == (u8)pat[j]) j++;
      if (j == m) return i + k;
      mask &= mask - 1;
    }
  }
  return -1;
}

static inline i32 find(const u8 *p, i32 from, i32 end, const char *pat, i32 m) { return find2(p, from, end, pat, m, 0, m - 1); }

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

// OTHER_FAILURES in nginxError.ts, the same alternatives in the same order (test/unit/logsWasm.test.ts
// checks that the two lists agree). One pass over the line
// finds the positions where a fairly rare pair of bytes of one of the patterns occurs (nibble tables, as in
// Hyperscan's Teddy), and only those are compared in full.
typedef struct { const char *text; i32 len, off; } Pat;
#define N_PATS 10
static const Pat PATS[N_PATS] = {
  {"worker_connections", 18, 5},     // "r_"
  {"could not be resolved", 21, 1},  // "ou"
  {" while resolving", 16, 11},      // "lv", as "no resolver"
  {"no resolver", 11, 6},            // "lv"
  {"intended to send too large", 26, 23}, // "rg"
  {"limiting ", 9, 2},               // "mi"
  {"Too many open", 13, 0},          // "To"
  {"Permission denied", 17, 0},      // "Pe"
  {"Cannot assign", 13, 0},          // "Ca"
  {"host not found", 14, 9},         // "fo"
};
static const u8 PAT_BUCKET[N_PATS] = {0, 1, 2, 2, 3, 4, 5, 6, 6, 7};
static u8 lo0[16], hi0[16], lo1[16], hi1[16];
static int tables_ready;

static void other_tables(void) {
  for (int i = 0; i < N_PATS; i++) {
    u8 bit = (u8)(1u << PAT_BUCKET[i]);
    u8 x = (u8)PATS[i].text[PATS[i].off], y = (u8)PATS[i].text[PATS[i].off + 1];
    lo0[x & 15] |= bit;
    hi0[x >> 4] |= bit;
    lo1[y & 15] |= bit;
    hi1[y >> 4] |= bit;
  }
  tables_ready = 1;
}

__attribute__((noinline)) static int other_failures(const u8 *p, i32 s, i32 e) {
  if (!tables_ready) other_tables();
  const v128_t L0 = wasm_v128_load(lo0), H0 = wasm_v128_load(hi0), L1 = wasm_v128_load(lo1), H1 = wasm_v128_load(hi1);
  const v128_t nib = wasm_i8x16_splat(15);
  for (i32 i = s; i + 1 < e; i += 16) {
    v128_t a = wasm_v128_load(p + i), b = wasm_v128_load(p + i + 1);
    v128_t m = wasm_v128_and(wasm_v128_and(wasm_i8x16_swizzle(L0, wasm_v128_and(a, nib)), wasm_i8x16_swizzle(H0, wasm_u8x16_shr(a, 4))),
                             wasm_v128_and(wasm_i8x16_swizzle(L1, wasm_v128_and(b, nib)), wasm_i8x16_swizzle(H1, wasm_u8x16_shr(b, 4))));
    u32 mask = (u32)wasm_i8x16_bitmask(wasm_i8x16_ne(m, wasm_i8x16_splat(0)));
    i32 room = e - 1 - i; // pairs starting at i..i+room-1 lie inside the line
    if (room < 16) mask &= (1u << room) - 1;
    while (mask) {
      i32 k = __builtin_ctz(mask);
      mask &= mask - 1;
      for (int t = 0; t < N_PATS; t++) {
        const Pat *pt = &PATS[t];
        i32 at = i + k - pt->off;
        if (at < s || at + pt->len > e) continue;
        i32 j = 0;
        while (j < pt->len && p[at + j] == (u8)pt->text[j]) j++;
        if (j == pt->len) return 1;
      }
    }
  }
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

__attribute__((noinline)) static i32 key_id(const u8 *k, u32 len) {
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

static u64 last_ma, last_mb;
static i32 last_mid = -1;

static i32 minute_id(const u8 *key16) {
  u64 a = load64(key16), b = load64(key16 + 8);
  if (last_mid >= 0 && a == last_ma && b == last_mb) return last_mid;
  u64 h64 = (a * 0x9E3779B97F4A7C15ull) ^ (b * 0xc4ceb9fe1a85ec53ull);
  h64 ^= h64 >> 31;
  u32 h = (u32)(h64 ^ (h64 >> 32));
  u32 s = h & (M_SLOTS - 1);
  for (;; s = (s + 1) & (M_SLOTS - 1)) {
    u32 x = m_slots[s];
    if (!x) break;
    if (m_hash[x - 1] == h && load64(minutes + (x - 1) * 16) == a && load64(minutes + (x - 1) * 16 + 8) == b) {
      last_ma = a;
      last_mb = b;
      return last_mid = (i32)(x - 1);
    }
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

static Cell *ucache[8 * 64];
static u32 ucache_tag[8 * 64];
static Cell *mcache[64];
static u32 mcache_tag[64];

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
#define RECENT_UPS 8
static i32 recent_up[RECENT_UPS] = {-1, -1, -1, -1, -1, -1, -1, -1};
static u32 recent_next;
#define CLIENT8 load64((const u8 *)" client:")
#define UPSTREAM8 load64((const u8 *)" upstrea")

__attribute__((noinline)) static int line(const u8 *p, i32 s, i32 e) {
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
  // The first `, client: ` at or after the kernel start: at a comma.
  i32 end = e;
  for (i32 c = next_bit(comma_bits, start, e - 9); c >= 0; c = next_bit(comma_bits, c + 1, e - 9)) {
    if (load64(p + c + 1) == CLIENT8 && p[c + 9] == ' ') {
      end = c;
      break;
    }
  }
  u32 klen = (u32)(end - start);
  u32 h = kernel_hash(p + start, klen);
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
  // The first ` upstream: "` at or after the kernel end: at a quote with ` upstream: ` before it.
  i32 u = -1;
  for (i32 d = next_bit(quote_bits, end + 11, e); d >= 0; d = next_bit(quote_bits, d + 1, e)) {
    if (load64(p + d - 11) == UPSTREAM8 && p[d - 3] == 'm' && p[d - 2] == ':' && p[d - 1] == ' ') {
      u = d - 11;
      break;
    }
  }
  if (u >= 0) {
    i32 from = u + 12;
    i32 q = next_bit(quote_bits, from, e);
    if (q >= 0) {
      // A recent plain address (scheme://host[:port]) followed by `/` or the quote is what the cut below
      // would give: no search, no hashing.
      for (int r = 0; r < RECENT_UPS; r++) {
        i32 id = recent_up[r];
        if (id < 0) continue;
        i32 len = (i32)ups[id].len;
        i32 stop = from + len;
        if (stop > q || (stop < q && p[stop] != '/')) continue;
        if (!same_bytes(p + from, u_arena + ups[id].off, (u32)len)) continue;
        uid = id;
        break;
      }
      if (uid < 0) {
        i32 scheme = find(p, from, q, "://", 3);
        i32 host = scheme < 0 ? from : scheme + 3;
        i32 a = q;
        int unix = host + 5 <= q && p[host] == 'u' && p[host + 1] == 'n' && p[host + 2] == 'i' && p[host + 3] == 'x' && p[host + 4] == ':';
        if (unix) {
          i32 colon = find_byte(p, host + 5, q, ':');
          if (colon >= 0) a = colon;
        } else {
          i32 slash = find_byte(p, host, q, '/');
          if (slash >= 0) a = slash;
        }
        if (a > from) {
          uid = key_id(p + from, (u32)(a - from));
          if (uid < 0) return 1;
          if (scheme >= 0 && !unix) {
            recent_up[recent_next] = uid;
            recent_next = (recent_next + 1) % RECENT_UPS;
          }
        }
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
  // The cells of the last (minute, slot) and of (upstream, slot) for a few upstreams, without hashing.
  if (uid >= 0) {
    u32 ci = ((u32)uid & 7) * 64 + (u32)verdict;
    if (ucache_tag[ci] != (u32)uid + 1) {
      ucache_tag[ci] = (u32)uid + 1;
      ucache[ci] = cell(ucells, &n_ucells, uc_slots, (u32)uid, (u32)verdict);
    }
    ucache[ci]->count++;
  }
  if (mcache_tag[verdict] != (u32)mid + 1) {
    mcache_tag[verdict] = (u32)mid + 1;
    mcache[verdict] = cell(mcells, &n_mcells, mc_slots, (u32)mid, (u32)verdict);
  }
  mcache[verdict]->count++;
  if (cand_per_slot[verdict] < max_cand) {
    cand_per_slot[verdict]++;
    cand[n_cand * 4] = (u32)s;
    cand[n_cand * 4 + 1] = (u32)e;
    cand[n_cand * 4 + 2] = cur_line;
    cand[n_cand * 4 + 3] = (u32)verdict;
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
  build_bits(p, s, end);
  while (s < end) {
    if (n_odd >= OUT_MAX - 1 || n_cand >= OUT_MAX - 1) break;
    i32 nl = next_bit(nl_bits, s, end);
    if (nl < 0) {
      if (!final) break;
      nl = end;
    }
    cur_line++;
    i32 e = nl;
    if (e > s && p[e - 1] == '\r') e--;
    if ((any_high && has_high(p, s, nl)) || (u32)(e - s) > max_line || line(p, s, e)) ODD((u32)s, (u32)nl);
    s = nl + 1;
  }
  return s > end ? (u32)end : (u32)s;
}
