// cflags: -O2 -ffunction-sections -fdata-sections
// Static and global functions and data, merged string literals, a jump
// table in .rodata and a table of function pointers: .rela.text,
// .rela.rodata and .rela.data.rel against section and symbol targets.
#include <stddef.h>

static int counter;
static const char* const names[] = {"zero", "one", "two", "three"};
int shared_total = 42;

static int __attribute__((noinline)) bump(int by) {
  counter += by;
  return counter;
}

const char* name_of(unsigned i) { return i < sizeof names / sizeof names[0] ? names[i] : "many"; }

int classify(int x) {
  switch (x) {
    case 0: return bump(3);
    case 1: return bump(5) * 2;
    case 2: return shared_total - 7;
    case 3: return (int)sizeof("a literal string");
    case 4: return bump(x) + 11;
    case 5: return counter ^ 0x55;
    default: return -1;
  }
}

int (*const handlers[])(int) = {classify, bump};

size_t message_length(void) {
  static char buffer[64] = "a static buffer";
  return sizeof(buffer) + (size_t)name_of(2)[0];
}
