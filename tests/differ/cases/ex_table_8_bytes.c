// An __ex_table of kernels before 4.6 (RHEL 7): struct
// exception_table_entry { int insn, fixup; }, 8 bytes, no handler or type
// field. No EX_STRUCT_SIZE is set; the 6.1 size (12) does not fit the
// relocations, which repeat every 8 bytes, so the older layout is used and
// only the changed function's entry is kept.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: read_d
// EXPECT-ENTRIES: __ex_table@8 1 read_d
// EXPECT-RELOCS: __ex_table 2
#include <kshim.h>

#define EX_8(insn)                                                             \
	asm volatile("1: " insn "\n2:\n"                                       \
		     ".pushsection __ex_table,\"a\"\n"                         \
		     " .balign 4\n"                                            \
		     " .long 1b - .\n"                                         \
		     " .long 2b - .\n"                                         \
		     ".popsection\n" : : : "memory")

int read_a(int x) { EX_8("nop"); return x; }
int read_b(int x) { EX_8("nop"); return x + 1; }
int read_c(int x) { EX_8("nop"); return x + 2; }

int read_d(int x)
{
	EX_8("nop");
#ifdef PATCHED
	return x + 4;
#else
	return x + 3;
#endif
}
