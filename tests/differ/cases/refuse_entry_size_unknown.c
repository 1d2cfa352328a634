// An __ex_table whose entries are 8 bytes (two relative pointers, the
// layout of kernels before 5.x's `data` field): no known layout (12 bytes)
// fits its relocations. The run stops with an error naming the section,
// the sizes tried and what the section holds, and writes nothing: a wrong
// size would keep halves of other functions' entries.
//
// EXPECT-EXIT: 1
// EXPECT-STDERR: __ex_table: error: expected entries of 12 bytes (the Linux 6.1 default, then the known layouts); found that the section has 0x20 bytes and 8 relocations
// EXPECT-STDERR: [bad-entry-size]
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
