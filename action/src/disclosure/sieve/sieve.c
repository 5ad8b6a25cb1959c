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
  columns = cols;
  min_count = min < 0 ? 0 : (uint64_t)min;
  base = rounding < 0 ? 0 : (uint64_t)rounding;
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
static void classify(const uint8_t *p, struct masks *m) {
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

/* Judges one cell [start, end) against its column's mode; returns 1 when the line must be re-read. */
static int cell_fails(uint32_t start, uint32_t end, uint8_t mode) {
  uint32_t length = end - start;
  if (mode == WHOLE) {
    for (uint32_t k = start; k < end; k += 1)
      if ((uint8_t)(input[k] - '0') > 9) return 1;
    return 0;
  }
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

/* Sieves input[0, length), which ends with '\n'; returns how many lines were reported. */
__attribute__((export_name("run"))) uint32_t run(uint32_t length) {
  uint32_t reported = 0, line = 0, line_start = 0, cell_start = 0, column = 0;
  int failed = 0, pattern_seen = 0;
  struct masks prev = {0};
  /* Without a column to judge, only line feeds matter (and the field count, by popcount). */
  int checked = 0;
  for (uint32_t c = 0; c < columns; c += 1) checked |= modes[c] != FREE;
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
    uint64_t bounds = (checked ? m.nl | m.delim : m.nl) & valid;
    uint32_t low = 0; /* first bit of the current line inside this block */
    while (bounds != 0) {
      uint32_t bit = (uint32_t)__builtin_ctzll(bounds);
      bounds &= bounds - 1;
      uint32_t p = at + bit;
      int newline = (m.nl >> bit) & 1;
      if (checked && !failed) {
        uint32_t end = newline && p > cell_start && input[p - 1] == '\r' ? p - 1 : p;
        if (column >= columns) failed = 1;
        else if (modes[column] != FREE) failed = cell_fails(cell_start, end, modes[column]);
      }
      column += 1;
      cell_start = p + 1;
      if (newline) {
        uint64_t span = (bit == 63 ? ~0ull : (2ull << bit) - 1) & ~((1ull << low) - 1);
        if (!checked) column += (uint32_t)__builtin_popcountll(m.delim & span);
        int empty = p == line_start || (p == line_start + 1 && input[line_start] == '\r');
        if (!empty && (failed || pattern_seen || (hits & span) != 0 || (columns != 0 && column != columns))) {
          out_line[reported] = line;
          out_start[reported] = line_start;
          reported += 1;
        }
        line += 1;
        line_start = p + 1;
        low = bit + 1;
        column = 0;
        failed = 0;
        pattern_seen = 0;
      }
    }
    if (low < 64) {
      uint64_t rest = ~((1ull << low) - 1);
      if ((hits & rest) != 0) pattern_seen = 1;
      if (!checked) column += (uint32_t)__builtin_popcountll(m.delim & valid & rest);
    }
    prev = m;
    prev_r3 = r3;
    prev_dd = dd;
  }
  chunk_lines = line;
  return reported;
}
