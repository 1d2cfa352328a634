// struct alt_instr of Linux 4.x and 5.x (RHEL 8): 13 bytes, unpadded
// (instr, repl, a u16 cpuid, instrlen, replacementlen and padlen). No
// variable is set; neither 12 (6.1) nor 14 (6.3) fits the relocations,
// which repeat every 13 bytes, so the older layout is used without a
// warning, and only the changed function's entry is kept.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: publish_b
// EXPECT-ENTRIES: .altinstructions@13 1 publish_b
// EXPECT-RELOCS: .altinstructions 2
// EXPECT-SECTION: .altinstr_replacement
#include <kshim.h>

#define alt_instr_padlen(oldinstr, newinstr, feature)                           \
	asm volatile("661:\n\t" oldinstr "\n662:\n"                            \
		     ".pushsection .altinstructions,\"a\"\n"                   \
		     " .long 661b - .\n"                                       \
		     " .long 6631f - .\n"                                      \
		     " .word " __stringify(feature) "\n"                       \
		     " .byte 662b-661b\n"                                      \
		     " .byte 6641f-6631f\n"                                    \
		     " .byte 0\n"                                              \
		     ".popsection\n"                                           \
		     ".pushsection .altinstr_replacement, \"ax\"\n"            \
		     "6631:\n\t" newinstr "\n6641:\n"                          \
		     ".popsection\n" : : : "memory")

int published_a, published_b, published_c;

void publish_a(int v)
{
	published_a = v;
	alt_instr_padlen("lock; addl $0,-4(%%rsp)", "mfence", X86_FEATURE_XMM2);
}

void publish_b(int v)
{
#ifdef PATCHED
	published_b = v + 1;
#else
	published_b = v;
#endif
	alt_instr_padlen("lock; addl $0,-4(%%rsp)", "mfence", X86_FEATURE_XMM2);
}

void publish_c(int v)
{
	published_c = v;
	alt_instr_padlen("lock; addl $0,-4(%%rsp)", "mfence", X86_FEATURE_XMM2);
}
