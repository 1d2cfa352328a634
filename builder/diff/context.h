// Options and run state of create-diff-object.
//
// DiffConfig is what the user asked for; DiffCtx is everything the passes compute.
// Every pass takes DiffCtx& first and communicates only through it.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "diff/parent_symtab.h"
#include "diff/symvers.h"
#include "elf/object.h"
#include "elf/writer.h"
#include "support/diag.h"

namespace kp {

struct DiffConfig {
  std::string orig_path;
  std::string patched_path;
  std::string parent_name;  // "vmlinux" or a module name
  std::string parent_symtab_path;
  std::string symvers_path;
  std::string output_path;
  bool debug = false;
  // New global symbols other objects of the same patch define (kpatch-build
  // knows them all; the command line does not). Only for the --debug trace:
  // every global unknown to the parent and Module.symvers is left to the
  // link of the patch module (klp_relocs.cpp).
  std::set<std::string> patch_globals;
  // kpatch's entry-size variables (ALT_STRUCT_SIZE=14, ...; entry_size.cpp).
  // nullopt: read from the environment, as kpatch does.
  std::optional<std::map<std::string, std::string>> size_variables;
};

// Where a piece of an input section went in the output.
struct Placement {
  uint64_t begin = 0;  // range in the input section
  uint64_t end = 0;
  size_t out = 0;  // output section
  uint64_t out_offset = 0;
};

struct DiffCtx {
  DiffCtx(DiffConfig c, Diag& d) : cfg(std::move(c)), diag(d) {}

  DiffConfig cfg;
  Diag& diag;
  std::optional<Object> orig;
  std::optional<Object> patched;
  std::optional<ParentSymtab> parent;
  Symvers symvers;
  std::string objname;  // basename of the original object, for results

  // include: byte ranges of patched sections that go into the output: whole
  // sections, included functions and objects, kept special-section entries.
  std::map<const Section*, std::vector<std::pair<uint64_t, uint64_t>>> included;
  // .fixup: where its pieces begin, the offsets pointed at from outside it
  std::map<const Section*, std::vector<uint64_t>> fixup_starts;
  // output assembly
  OutputObject out;
  std::map<const Section*, std::vector<Placement>> placement;
  std::map<const Symbol*, size_t> out_symbol;  // patched symbol -> output symbol
  std::map<std::string, size_t> klp_symbol;    // ".klp.sym..." -> output symbol
  std::optional<size_t> parent_file_block;
  std::map<const Section*, uint32_t> entry_sizes;  // special sections, decided once

  // results, for callers other than the command line (kpatch-build)
  std::vector<std::string> changed_functions;
  std::vector<std::string> new_functions;

  bool is_module_parent() const { return cfg.parent_name != "vmlinux"; }
  Where where(const Object& obj, const Section* sec, const Symbol* sym,
              std::optional<uint64_t> off = std::nullopt) const {
    return Where{obj.path(), sec ? sec->name : std::string(), off, sym ? sym->name : std::string()};
  }
};

// The passes. Their order, and why each exists, is the table in
// driver.cpp (differ_passes()).
void load_inputs(DiffCtx& ctx);
void classify(DiffCtx& ctx);
void correlate(DiffCtx& ctx);
void compare(DiffCtx& ctx);               // compare.cpp
void apply_author_markers(DiffCtx& ctx);  // markers.cpp
void check_patchability(DiffCtx& ctx);    // throws Refused (exit 2)
bool has_functional_change(const DiffCtx& ctx);
void include_changes(DiffCtx& ctx);
void filter_special_sections(DiffCtx& ctx);  // special.cpp
void report(DiffCtx& ctx);
void build_output(DiffCtx& ctx);  // output.cpp
void write_output(DiffCtx& ctx);

// What a pass tells the driver: go on, or stop (no functional change).
enum class PassResult { Next, NoChange };

struct Pass {
  std::string_view name;  // as docs/create-diff-object.md lists it
  PassResult (*run)(DiffCtx&);
  std::string_view why;
};

// The passes in the order run_differ() runs them.
std::span<const Pass> differ_passes();

// All passes in order. Throws Fatal (exit 1) or Refused (exit 2).
ExitCode run_differ(DiffCtx& ctx);
// run_differ() with the exceptions turned into exit codes and messages on
// `err`, as the command line reports them.
ExitCode run_differ_reporting(DiffCtx& ctx, std::ostream& err);

}  // namespace kp
