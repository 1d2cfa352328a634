// Lines inserted above a function whose warning names its place as
// __FILE__ ":" __stringify(__LINE__), a string literal (the fortified
// memcpy's field-spanning warning, in every function of
// arch/x86/kvm/x86.c that copies into a struct field): the literal moves
// from "...c:27" to "...c:227", which is no functional change.
//
// The patched build numbers the lines below from 200, as if the patch had
// inserted lines above them.
//
// EXPECT-EXIT: 3
// REQUIRE-DIFFERENT: .rodata*str1*
#include <kshim.h>
#ifdef PATCHED
#line 200
#endif

#define WARN_AT_PLACE(cond, what)                                               \
	WARN_ONCE(cond, "field \"%s\" at " __FILE__ ":" __stringify(__LINE__) \
		  " (size %d)\n", what, 16)

int copy_field(char *dst, int size)
{
	if (WARN_AT_PLACE(size > 16, "dst"))
		size = 16;
	for (int i = 0; i < size; i++)
		dst[i] = 0x90;
	return size;
}
