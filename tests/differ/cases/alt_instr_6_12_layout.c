// struct alt_instr of Linux 6.3 and later: 14 bytes (instr, repl, a u32
// ft_flags, two lengths). No variable is set; the 6.1 size (12) does not
// fit the relocations, which repeat every 14 bytes, so the known later
// layout is used without a warning, and only the changed function's entry
// is kept.
//
// EXPECT-EXIT: 0
// EXPECT-CHANGED: publish_b
// EXPECT-ENTRIES: .altinstructions@14 1 publish_b
// EXPECT-RELOCS: .altinstructions 2
// EXPECT-SECTION: .altinstr_replacement
#include <kshim.h>

#define alt_instr_6_12(oldinstr, newinstr, feature)                           \
	asm volatile("661:\n\t" oldinstr "\n662:\n"                            \
		     ".pushsection .altinstructions,\"a\"\n"                   \
		     " .long 661b - .\n"                                       \
		     " .long 6631f - .\n"                                      \
		     " .long " __stringify(feature) "\n"                       \
		     " .byte 662b-661b\n"                                      \
		     " .byte 6641f-6631f\n"                                    \
		     ".popsection\n"                                           \
		     ".pushsection .altinstr_replacement, \"ax\"\n"            \
		     "6631:\n\t" newinstr "\n6641:\n"                          \
		     ".popsection\n" : : : "memory")

int published_a, published_b, published_c;

void publish_a(int v)
{
	published_a = v;
	alt_instr_6_12("lock; addl $0,-4(%%rsp)", "mfence", X86_FEATURE_XMM2);
}

void publish_b(int v)
{
#ifdef PATCHED
	published_b = v + 1;
#else
	published_b = v;
#endif
	alt_instr_6_12("lock; addl $0,-4(%%rsp)", "mfence", X86_FEATURE_XMM2);
}

void publish_c(int v)
{
	published_c = v;
	alt_instr_6_12("lock; addl $0,-4(%%rsp)", "mfence", X86_FEATURE_XMM2);
}
