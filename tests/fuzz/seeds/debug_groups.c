// cflags: -O1 -g -gdwarf-4 -fdebug-types-section -ffunction-sections
// DWARF type units: gcc puts each struct's .debug_types and its relocations
// in a COMDAT .group section, and the .rela.debug_* sections are the largest
// relocation tables of a typical object. (-g3 would add groups for macros
// too, at ten times the size, which slows the fuzzer down.)
#define SCALE 3
#define OFFSET(x) ((x) + 7)

struct point {
  int x, y;
};

static struct point origin = {1, 2};
struct point last;

long dot(const struct point* a, const struct point* b) { return (long)a->x * b->x + (long)a->y * b->y; }

struct point scaled(struct point p) {
  struct point r = {p.x * SCALE, OFFSET(p.y)};
  last = r;
  return r;
}

long distance_from_origin(struct point p) { return dot(&origin, &p); }
