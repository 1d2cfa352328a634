// An __ex_table whose entries are 10 bytes (two relative pointers and a
// u16, unaligned): no known layout (12 bytes, 8 before 4.6) fits its
// relocations. The run stops with an error naming the section, the sizes
// tried and what the section holds, and writes nothing: a wrong size would
// keep halves of other functions' entries.
//
// EXPECT-EXIT: 1
// EXPECT-STDERR: __ex_table: error: expected entries of 12, 8 bytes (the Linux 6.1 default, then the known layouts); found that the section has 0x28 bytes and 8 relocations, repeating every 10 bytes
// EXPECT-STDERR: [bad-entry-size]
#include <kshim.h>

#define EX_10(insn)                                                             \
	asm volatile("1: " insn "\n2:\n"                                       \
		     ".pushsection __ex_table,\"a\"\n"                         \
		     " .long 1b - .\n"                                         \
		     " .long 2b - .\n"                                         \
		     " .word 0\n"                                              \
		     ".popsection\n" : : : "memory")

int read_a(int x) { EX_10("nop"); return x; }
int read_b(int x) { EX_10("nop"); return x + 1; }
int read_c(int x) { EX_10("nop"); return x + 2; }

int read_d(int x)
{
	EX_10("nop");
#ifdef PATCHED
	return x + 4;
#else
	return x + 3;
#endif
}
