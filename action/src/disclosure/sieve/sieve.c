/*
 * The disclosure checks' line sieve, compiled to WebAssembly (SIMD128) by scripts/build-sieve.mjs.
 *
 * It reads a chunk of whole lines and reports the lines that the JavaScript checks must look at:
 * those where an identifier pattern could match, those with bytes the fast path does not judge
 * (non-ASCII, control characters, quotes, `@`, `:`), lines whose field count differs from the
 * header's, and lines with a cell the column's mode does not pass. Every other line is one the
 * checks would neither report nor learn anything from. Being wrong in the safe direction is
 * allowed (a reported line is only re-read in JavaScript); missing a line is not.
 *
 * Column modes (set by JavaScript from what the table has learnt so far):
 *   FREE  anything passes;
 *   COUNT a whole number of at most 15 digits, >= min_count, a multiple of base when base > 1;
 *   WHOLE empty or digits only.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define CAPACITY (1u << 20)
#define PADDING 128u
#define MAX_COLUMNS 4096u
#define OUT_CAPACITY (CAPACITY / 2u + 1u)

enum { FREE = 0, COUNT = 1, WHOLE = 2 };

static uint8_t input[CAPACITY + PADDING];
static uint8_t modes[MAX_COLUMNS];
static uint32_t out_line[OUT_CAPACITY];
static uint32_t out_start[OUT_CAPACITY];
static uint32_t chunk_lines;
static uint32_t delimiter;
static uint32_t columns;
static uint64_t min_count;
static uint64_t base;
/* Where the latest field separators are: a ring, as a line with more fields than it holds fails. */
#define RING 8192u
/* A judged line needs its own separators plus at most 63 written after them in its last block. */
_Static_assert(RING >= MAX_COLUMNS + 64, "the ring must hold a whole line of separators");
static uint32_t ring[RING];
/* min_count's digits, for comparing a cell of as many digits without parsing it. */
static uint32_t min_digits;
static uint64_t min_key;
static v128_t reverse_digits;
static int exact_only;

__attribute__((export_name("input"))) uint8_t *input_at(void) { return input; }
__attribute__((export_name("modes"))) uint8_t *modes_at(void) { return modes; }
__attribute__((export_name("outLine"))) uint32_t *out_line_at(void) { return out_line; }
__attribute__((export_name("outStart"))) uint32_t *out_start_at(void) { return out_start; }
__attribute__((export_name("capacity"))) uint32_t capacity(void) { return CAPACITY; }
__attribute__((export_name("maxColumns"))) uint32_t max_columns(void) { return MAX_COLUMNS; }
__attribute__((export_name("lines"))) uint32_t lines(void) { return chunk_lines; }

/* delim: the field separator, or 0 for plain text; cols: fields per line (0 for plain text). */
__attribute__((export_name("configure"))) void configure(uint32_t delim, uint32_t cols, double min,
                                                          double rounding) {
  delimiter = delim;
  /* JavaScript sends at most MAX_COLUMNS modes; more would overrun modes[] and the ring's bound. */
  columns = cols > MAX_COLUMNS ? MAX_COLUMNS : cols;
  min_count = min < 0 ? 0 : (uint64_t)min;
  base = rounding < 0 ? 0 : (uint64_t)rounding;
  /* A cell of as many digits as the threshold is compared as a number of up to 8 digit bytes,
   * least significant byte first (what the swizzle in cell_fails makes of the cell). */
  min_digits = 0;
  min_key = 0;
  for (uint64_t v = min_count; v != 0; v /= 10) {
    if (min_digits < 8) min_key |= (uint64_t)('0' + v % 10) << (8 * min_digits);
    min_digits += 1;
  }
  uint8_t order[16];
  for (unsigned j = 0; j < 16; j += 1) order[j] = j < min_digits ? (uint8_t)(min_digits - 1 - j) : 0x80;
  reverse_digits = wasm_v128_load(order);
  exact_only = base > 1 || min_digits > 8;
}

static inline uint64_t mask16(v128_t v) { return (uint64_t)wasm_i8x16_bitmask(v); }
/* Bit i of the result is bit i-k of the 128-bit (prev, x): "k bytes earlier". */
static inline uint64_t back(uint64_t x, uint64_t prev, unsigned k) { return (x << k) | (prev >> (64 - k)); }

struct masks {
  uint64_t nl, delim, digit, letter, dot, sep, special, x, y, sign;
};

static inline v128_t veq(v128_t v, uint8_t c) { return wasm_i8x16_eq(v, wasm_i8x16_splat((int8_t)c)); }
/* lo <= v < lo + n, as one subtraction and one signed compare (unsigned compares cost more). */
static inline v128_t vrange(v128_t v, uint8_t lo, uint8_t n) {
  v128_t shifted = wasm_i8x16_sub(v, wasm_i8x16_splat((int8_t)(uint8_t)(lo + 0x80)));
  return wasm_i8x16_lt(shifted, wasm_i8x16_splat((int8_t)(n - 0x80)));
}

/* Byte classes as bit masks, one bit per byte of the 64-byte block at p. */
static inline __attribute__((always_inline)) void classify(const uint8_t *p, struct masks *m) {
  *m = (struct masks){0};
  const v128_t delim = wasm_i8x16_splat((int8_t)delimiter);
  for (unsigned part = 0; part < 4; part += 1) {
    v128_t v = wasm_v128_load(p + part * 16);
    v128_t lower = wasm_v128_or(v, wasm_i8x16_splat(0x20));
    unsigned s = part * 16;
    v128_t nl = veq(v, '\n'), tab = veq(v, '\t'), cr = veq(v, '\r');
    /* A carriage return passes only right before a line feed (the next byte, an unaligned load). */
    v128_t lone_cr = wasm_v128_andnot(cr, veq(wasm_v128_load(p + part * 16 + 1), '\n'));
    v128_t sep = wasm_v128_or(wasm_v128_or(veq(v, ' '), veq(v, '-')), tab);
    /* Control bytes other than line feed, tab and carriage return; bytes >= 0x80; `"` `@` `:`. */
    /* Signed: bytes >= 0x80 are negative, so one compare finds them and the control bytes. */
    v128_t special = wasm_v128_andnot(wasm_i8x16_lt(v, wasm_i8x16_splat(0x20)), wasm_v128_or(nl, wasm_v128_or(tab, cr)));
    special = wasm_v128_or(special, wasm_v128_or(veq(v, '"'), wasm_v128_or(veq(v, '@'), veq(v, ':'))));
    special = wasm_v128_or(special, lone_cr);
    /* Letters of the birth words and of "degrees of freedom" / "Df Residuals": b f | o i r d. */
    v128_t x = wasm_v128_or(veq(lower, 'b'), veq(lower, 'f'));
    v128_t y = wasm_v128_or(wasm_v128_or(veq(lower, 'o'), veq(lower, 'i')), wasm_v128_or(veq(lower, 'r'), veq(lower, 'd')));
    m->nl |= mask16(nl) << s;
    m->delim |= mask16(wasm_i8x16_eq(v, delim)) << s;
    m->digit |= mask16(vrange(v, '0', 10)) << s;
    m->letter |= mask16(vrange(lower, 'a', 26)) << s;
    m->dot |= mask16(veq(v, '.')) << s;
    m->sep |= mask16(sep) << s;
    m->special |= mask16(special) << s;
    m->x |= mask16(x) << s;
    m->y |= mask16(y) << s;
    m->sign |= mask16(wasm_v128_or(veq(v, '+'), veq(v, ')'))) << s;
  }
  if (delimiter == 0) m->delim = 0;
}

/* A count judged digit by digit: for rounding bases, long thresholds and leading zeros. */
static int count_fails_exact(uint32_t start, uint32_t end) {
  uint32_t length = end - start;
  if (length == 0 || length > 15) return 1;
  uint64_t value = 0;
  for (uint32_t k = start; k < end; k += 1) {
    uint8_t digit = (uint8_t)(input[k] - '0');
    if (digit > 9) return 1;
    value = value * 10 + digit;
  }
  if (value < min_count) return 1;
  return base > 1 && value % base != 0;
}

/* Bit i set when byte start+i is a digit (16 bytes; the input has padding after its end). */
static inline uint32_t digit_mask16(uint32_t start) {
  return (uint32_t)wasm_i8x16_bitmask(vrange(wasm_v128_load(input + start), '0', 10));
}

/* Judges one cell [start, end) against its column's mode; returns 1 when the line must be re-read.
 * A count is judged from one 16-byte load, without a loop over its digits: all digits, no leading
 * zero, and more digits than the threshold, or as many and not less. */
static inline int cell_fails(uint32_t start, uint32_t end, uint8_t mode) {
  uint32_t length = end - start;
  if (mode == WHOLE) {
    if (length > 16) {
      for (uint32_t k = start; k < end; k += 1)
        if ((uint8_t)(input[k] - '0') > 9) return 1;
      return 0;
    }
    uint32_t need = (uint32_t)((1ull << length) - 1);
    return (digit_mask16(start) & need) != need;
  }
  v128_t v = wasm_v128_load(input + start);
  uint32_t need = (uint32_t)((1ull << (length & 31)) - 1);
  uint32_t digits = (uint32_t)wasm_i8x16_bitmask(vrange(v, '0', 10));
  if (length - 1 > 14 || (digits & need) != need) return 1;
  if (exact_only || input[start] == '0') return count_fails_exact(start, end);
  uint64_t key = (uint64_t)wasm_i64x2_extract_lane(wasm_i8x16_swizzle(v, reverse_digits), 0);
  return !((length > min_digits) | ((length == min_digits) & (key >= min_key)));
}

/* Sieves input[0, length), which ends with '\n'; returns how many lines were reported. */
__attribute__((export_name("run"))) uint32_t run(uint32_t length) {
  uint32_t reported = 0, line = 0, line_start = 0;
  int pattern_seen = 0;
  struct masks prev = {0};
  /* The columns to judge, in order; without any, separators are only counted. */
  static uint16_t judged[MAX_COLUMNS];
  uint32_t njudged = 0;
  for (uint32_t c = 0; c < columns; c += 1)
    if (modes[c] != FREE) judged[njudged++] = (uint16_t)c;
  uint32_t seen = 0;      /* separators before this block */
  uint32_t line_first = 0; /* index of the line's first separator */
  uint64_t prev_r3 = 0, prev_dd = 0;
  for (uint32_t at = 0; at < length; at += 64) {
    struct masks m;
    classify(input + at, &m);
    uint64_t valid = length - at >= 64 ? ~0ull : (1ull << (length - at)) - 1;
    uint64_t g = m.digit;
    uint64_t r3 = g & back(g, prev.digit, 1) & back(g, prev.digit, 2);
    uint64_t dd = g & back(m.dot, prev.dot, 1) & back(g, prev.digit, 2);
    uint64_t hits = m.special;
    hits |= r3 & back(r3, prev_r3, 3);                                       /* 6 digits */
    hits |= r3 & back(m.sep, prev.sep, 3) & back(r3, prev_r3, 4);            /* ddd ddd */
    uint64_t sep1 = g & back(m.sep, prev.sep, 1) & back(g, prev.digit, 2);  /* d d, then: */
    hits |= sep1 & ((back(m.sep, prev.sep, 3) & back(g, prev.digit, 4)) |
                    (back(g, prev.digit, 3) & back(m.sep, prev.sep, 4) & back(g, prev.digit, 5)));
    hits |= m.letter & back(m.letter, prev.letter, 1) & back(g, prev.digit, 2); /* postcode inward */
    hits |= r3 & back(g, prev.digit, 3) & back(m.dot, prev.dot, 4);          /* .dddd */
    hits |= dd & (back(dd, prev_dd, 2) | back(dd, prev_dd, 3) | back(dd, prev_dd, 4)); /* d.d.d */
    /* dob, birth, born, d.o.b, freedom, Df: a pair of {b f} and {o i r d} letters, either order. */
    hits |= (m.x & back(m.y, prev.y, 1)) | (m.y & back(m.x, prev.x, 1)) |
            (m.x & back(m.dot, prev.dot, 1) & back(m.y, prev.y, 2));
    hits |= g & back(m.sign, prev.sign, 1);                                  /* +44, (0)1 */
    hits &= valid;
    uint64_t delims = m.delim & valid;
    if (njudged != 0) {
      /* The block's separators into the ring: eight written whatever the count (a fixed loop, no
       * branch to mispredict; slots past the count are rewritten later), then any more. */
      uint64_t bits = delims;
      uint32_t count = (uint32_t)__builtin_popcountll(bits);
      for (uint32_t i = 0; i < 8; i += 1) {
        ring[(seen + i) & (RING - 1)] = at + (uint32_t)__builtin_ctzll(bits | (1ull << 63));
        bits &= bits - 1;
      }
      for (uint32_t i = 8; i < count; i += 1) {
        ring[(seen + i) & (RING - 1)] = at + (uint32_t)__builtin_ctzll(bits | (1ull << 63));
        bits &= bits - 1;
      }
    }
    uint64_t newlines = m.nl & valid;
    uint32_t low = 0; /* first bit of the current line inside this block */
    while (newlines != 0) {
      uint32_t bit = (uint32_t)__builtin_ctzll(newlines);
      newlines &= newlines - 1;
      uint32_t p = at + bit;
      uint64_t below = bit == 63 ? ~0ull >> 1 : (1ull << bit) - 1;
      uint32_t line_end_sep = seen + (uint32_t)__builtin_popcountll(delims & below);
      uint64_t span = ((below << 1) | 1) & ~((1ull << low) - 1);
      int empty = p == line_start || (p == line_start + 1 && input[line_start] == '\r');
      if (!empty) {
        int failed = pattern_seen || (hits & span) != 0 ||
                     (columns != 0 && line_end_sep - line_first + 1 != columns);
        for (uint32_t j = 0; !failed && j < njudged; j += 1) {
          uint32_t c = judged[j];
          uint32_t s = c == 0 ? line_start : ring[(line_first + c - 1) & (RING - 1)] + 1;
          uint32_t e = c == columns - 1 ? p : ring[(line_first + c) & (RING - 1)];
          if (c == columns - 1 && e > s && input[e - 1] == '\r') e -= 1;
          failed = cell_fails(s, e, modes[c]);
        }
        if (failed) {
          out_line[reported] = line;
          out_start[reported] = line_start;
          reported += 1;
        }
      }
      line += 1;
      line_start = p + 1;
      line_first = line_end_sep;
      low = bit + 1;
      pattern_seen = 0;
    }
    if (low < 64 && (hits & ~((1ull << low) - 1)) != 0) pattern_seen = 1;
    seen += (uint32_t)__builtin_popcountll(delims);
    prev = m;
    prev_r3 = r3;
    prev_dd = dd;
  }
  chunk_lines = line;
  return reported;
}
