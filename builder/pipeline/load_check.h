// Would the patch module load? What the kernel checks when the module is
// loaded and the patch enabled, checked on the linked module before it is
// written. See load_check.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "elf/object.h"
#include "pipeline/context.h"

namespace kp {

// One entry of the module's .kpatch.funcs: the function it replaces.
struct ReplacedFunction {
  std::string name;    // the old function's name, "cmdline_proc_show"
  std::string object;  // "vmlinux" or the module name
  uint64_t sympos = 0;
  std::string new_func;  // the module's symbol for the new code
};

// The entries of the linked module's .kpatch.funcs (32 bytes each: new
// function, old name, object name, sympos). Throws BuildError for a table
// whose entries lack their relocations.
std::vector<ReplacedFunction> replaced_functions(const Object& module);

// The module's own ftrace sites: each __mcount_loc entry must land on a
// `call __fentry__` (e8 and a relocation to __fentry__ at +1) or a 5-byte
// NOP; ftrace_process_locs() checks those five bytes when the module
// loads, and anything else WARNs and turns ftrace off. One message per
// entry that does not, naming the function it is in.
std::vector<std::string> check_module_ftrace_sites(const Object& module);

// The module's return thunks: each `jmp __x86_return_thunk` (e9 and a
// relocation at +1) in its code must be listed in .return_sites, which
// the kernel rewrites at load; one message for all that are not, naming
// the functions.
std::vector<std::string> check_module_return_sites(const Object& module);

// The module's static call sites recorded with a trampoline for their key
// (objtool does that for a key the module does not name): the kernel maps
// a trampoline back to its key only through vmlinux's static_call_tramp_key
// table (EXPORT_STATIC_CALL_TRAMP), and refuses the module otherwise
// ("Failed to fixup __raw_static_call() usage"). One message per site whose
// trampoline the table of `vmlinux` (the unstripped binary) lacks, naming
// its function; vmlinux is read only when there is such a site.
std::vector<std::string> check_module_static_calls(const Object& module, const std::string& vmlinux);

// Any module the kernel ships in `dir` (searched recursively), the same one
// every time: the first by path; nullopt when there is none.
std::optional<fs::path> some_shipped_module(const fs::path& dir);
// The vermagic= of a module's .modinfo ("" if it has none).
std::string module_vermagic(const std::string& path);
// "" when the patch module's vermagic `ours` is the shipped module's
// `theirs` (from `shipped`, named in the message); else the refusal.
std::string vermagic_problem(const std::string& ours, const std::string& theirs, const std::string& shipped);

// The symbols of the patch target (vmlinux or a shipped module) that the
// replaced functions name, as the livepatch core finds them: every defined
// symbol of that name in kallsyms order (address order for vmlinux, symbol
// table order for a module), and the ftrace sites of the binary.
class TargetSymbols {
 public:
  struct Sym {
    uint64_t value = 0, size = 0;
    unsigned type = 0;  // STT_*
    size_t section = 0;
  };
  // `names`: the symbols to collect. Throws kp::Fatal for an unreadable file.
  static TargetSymbols read(const std::string& path, const std::string& label, const std::vector<std::string>& names);

  // "" when `f` resolves to exactly one function of the target that has an
  // ftrace site; else why not, naming the function.
  std::string check(const ReplacedFunction& f) const;

 private:
  std::string label_;
  bool exec_ = false;
  std::map<std::string, std::vector<Sym>> syms_;   // in kallsyms order
  std::map<size_t, std::vector<uint64_t>> sites_;  // section (0 in vmlinux) -> sorted site addresses
};

}  // namespace kp
