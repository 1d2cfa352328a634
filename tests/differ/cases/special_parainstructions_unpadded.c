// .parainstructions made by the kernel's assembler macro: each 10-byte
// site (.quad instr, .byte type, .byte len) starts at `.balign 8`, so
// entries are 16 bytes apart and the last one lacks its 6 bytes of tail
// padding (3 sites: 0x2a bytes). The section is read as 3 entries; the
// last function changes and its short entry is kept.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: para_c
// EXPECT-ENTRIES: .parainstructions 1 para_c
// EXPECT-RELOCS: .parainstructions 1
#include <kshim.h>

#define PARA_SITE(type)                                                        \
	asm volatile("771: nop\n772:\n"                                        \
		     ".pushsection .parainstructions,\"a\"\n"                  \
		     " .balign 8\n"                                            \
		     " .quad 771b\n"                                           \
		     " .byte " __stringify(type) "\n"                          \
		     " .byte 772b-771b\n"                                      \
		     ".popsection\n" : : : "memory")

int para_a(int x) { PARA_SITE(1); return x; }
int para_b(int x) { PARA_SITE(2); return x * 3; }

int para_c(int x)
{
	PARA_SITE(3);
#ifdef PATCHED
	return x + 2;
#else
	return x + 1;
#endif
}
