// .modinfo: the patch carries the patched object's import_ns= entries (a
// patch calling a namespaced export must import the namespace too), and
// no other module information: license, description and the like belong
// to the patch module itself.
//
// PARENT: mydriver
// EXPECT-EXIT: 0
// EXPECT-CHANGED: use_ns
// EXPECT-CONTENT: .modinfo import_ns=CRYPTO_INTERNAL\x00
// EXPECT-CONTENT: .modinfo import_ns=USB_STORAGE\x00
// EXPECT-NO-CONTENT: .modinfo license=
// EXPECT-NO-CONTENT: .modinfo description=
// SYMVERS: crypto_internal_helper vmlinux
#include <kshim.h>

int crypto_internal_helper(int);

MODULE_IMPORT_NS(CRYPTO_INTERNAL);
#ifdef PATCHED
MODULE_IMPORT_NS(USB_STORAGE);
#endif
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("a driver");

int use_ns(int x)
{
#ifdef PATCHED
	return crypto_internal_helper(x) + 1;
#else
	return crypto_internal_helper(x);
#endif
}
