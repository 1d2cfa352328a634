// cflags: -O2 -ffunction-sections -fdata-sections -fno-PIE -mcmodel=kernel -pg -mfentry -mrecord-mcount -fno-asynchronous-unwind-tables
// What the differ sees in kernel objects: __mcount_loc entries, a
// compiler-split .cold function, function-local statics (foo.0), and
// special sections with relocations (__bug_table, __ex_table-like tables,
// __ksymtab) built the way the kernel's macros build them.
struct table_entry {
  int insn;
  int fixup;
};

extern void panic_cold(const char* why) __attribute__((cold, noreturn));
extern int external_value;

int exported_fn(int x);
static const char ksymtab_name[] __attribute__((section("__ksymtab_strings"), used)) = "exported_fn";
static const struct {
  void* fn;
  const char* name;
} ksymtab_entry __attribute__((section("___ksymtab+exported_fn"), used)) = {(void*)exported_fn, ksymtab_name};

int exported_fn(int x) {
  static int calls;
  if (__builtin_expect(x < 0, 0)) panic_cold("negative");
  calls++;
  asm volatile(
      "1: nop\n"
      ".pushsection __bug_table,\"aw\"\n"
      ".long 1b - .\n"
      ".long %c0\n"
      ".popsection\n" ::"i"(__LINE__));
  return x + calls + external_value;
}

static int __attribute__((noinline)) helper(int x) {
  static int once;
  if (!once) {
    once = 1;
    return -x;
  }
  return x * 3;
}

int uses_helper(int x) {
  int r;
  asm volatile(
      "2: movl %1, %0\n"
      "3:\n"
      ".pushsection __ex_table,\"a\"\n"
      ".long 2b - ., 3b - .\n"
      ".popsection\n"
      : "=r"(r)
      : "r"(x));
  return helper(r) + helper(x);
}
