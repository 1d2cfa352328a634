// A parent symbol table (readelf -s --wide text) shared by the tests of
// diff/parent_symtab and of its index.
#pragma once

namespace kp::testing {

// Two files define a static `show`; the second also has `helper`.
constexpr const char* kSymtab = R"(
Symbol table '.symtab' contains 9 entries:
   Num:    Value          Size Type    Bind   Vis      Ndx Name
     0: 0000000000000000     0 NOTYPE  LOCAL  DEFAULT  UND 
     1: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS a.c
     2: ffffffff81000300    10 FUNC    LOCAL  DEFAULT    1 show
     3: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS b.c
     4: ffffffff81000100    12 FUNC    LOCAL  DEFAULT    1 show
     5: ffffffff81000200    12 FUNC    LOCAL  DEFAULT    1 helper
     6: ffffffff81000400    99 FUNC    GLOBAL DEFAULT    1 exported_fn
     7: 0000000000000000     0 NOTYPE  GLOBAL DEFAULT  UND imported_fn
)";

}  // namespace kp::testing
