// Options and run state of kpatch-build.
//
// BuildConfig is what the user asked for; BuildCtx is one build for one
// kernel release. Passes take BuildCtx& first and talk only through it; all
// side effects go through ctx.run (a Runner) so tests can fake them.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "sys/process.h"

namespace kp {

namespace fs = std::filesystem;

struct BuildConfig {
  std::optional<fs::path> manifest_path;
  std::optional<fs::path> bundle_path;  // --bundle (manifest/bundle.h)
  std::vector<std::string> kernels;     // --kernel; overrides the manifest's list
  std::vector<fs::path> patches;        // the classic form's PATCH arguments
  std::string name;                     // -n: module name for the classic form
  fs::path output_dir = ".";
  unsigned jobs = 2;
  // -d, repeatable as in classic kpatch-build: 1 keeps the work directory
  // and traces the differ; 2 or more also echoes every command and its
  // output (the build log) to stderr.
  unsigned debug = 0;
  bool keep_workdir = false;  // --skip-cleanup (classic), also implied by --debug
  // Patched objects and the module without make where Kbuild's recorded
  // commands do the same (kbuild_replay.cpp, module_recipe.cpp); off: --no-replay.
  bool kbuild_replay = true;
  // A terminal's width when stderr is one and several kernels build: each
  // kernel's progress is one row rewritten in place (matrix.cpp); 0: lines.
  size_t board_width = 0;
  bool skip_compiler_check = false;
  bool allow_fuzz = false;      // --allow-fuzz: hunks may apply with fuzz (warned)
  bool check_only = false;      // --check: compile and diff, report, link nothing (check.cpp)
  bool json = false;            // --json: the --check report as JSON on stdout
  std::optional<bool> replace;  // -R sets false
  std::string sign_key, sign_cert;
  // -s/-c/-v/--symvers: any configured and prepared kernel tree instead of a
  // Debian release from the cache (see prepare_target).
  fs::path sourcedir, config, vmlinux, symvers;
  fs::path log_file;   // CACHEDIR/build.log when CACHEDIR is set (classic), else each build's work dir's
  fs::path tools_dir;  // holds kernel-tree; kmod_dir holds the kernel-side sources
  fs::path kmod_dir;
  // --oot-module FILE.ko / --oot-module-src DIR: patch that out-of-tree
  // module, built from DIR, instead of the kernel's own code (oot_module.h).
  fs::path oot_module, oot_module_src;
};

struct KernelTarget {
  std::string release;
  fs::path cache;    // the prepared cache dir; empty with -s
  fs::path src;      // the prepared tree workdirs are views of
  fs::path modules;  // where the built .ko files are (searched recursively)
  fs::path symvers, vmlinux, vmlinux_symtab, module_symtabs, config;
  bool lazy_module_symtabs = false;    // -s: module symtabs made on demand from `modules`
  std::vector<std::string> make_args;  // KERNELRELEASE=..., CC=..., KCFLAGS=...
};

// One object file the patch touches.
struct ObjectJob {
  std::string path;    // relative to the tree, "fs/proc/cmdline.o"
  std::string parent;  // "vmlinux" or the module name
  fs::path orig, patched, output;
  int diff_status = -1;  // create-diff-object exit code
  std::vector<std::string> changed, added;
  std::string messages;  // the differ's diagnostics
  // CONFIG_MODVERSIONS CRCs of the symbols the object exports, by name, from
  // Kbuild's #SYMVER lines after each compile (modversions.cpp).
  std::map<std::string, std::string> crcs_orig, crcs_patched;
  // The command Kbuild ran for the original, from its .cmd file: the
  // patched side runs it again when it can (kbuild_replay.cpp).
  std::optional<std::string> kbuild_command;
  bool replayed = false;  // the patched side was compiled that way
};

// The out-of-tree module a build patches (oot_module.cpp).
struct OotTarget {
  fs::path ko;    // the built module, as given: its symbols and code are the originals
  fs::path src;   // its source dir, as given (never written)
  fs::path copy;  // WORK/oot-src: the private copy the patches apply to and Kbuild builds in
  std::string name, vermagic;
};

struct BuildCtx {
  BuildCtx(const BuildConfig& c, Manifest m, std::string release, Runner& r) : cfg(c), manifest(std::move(m)), run(r) {
    target.release = std::move(release);
  }

  const BuildConfig& cfg;
  Manifest manifest;
  Runner& run;
  KernelTarget target;
  fs::path work;  // private scratch dir
  fs::path tree;  // writable view of the prepared tree
  fs::path log;
  std::vector<std::string> changed_files;
  std::vector<ObjectJob> objects;
  fs::path module_dir;
  std::string module_linked_by;  // "make" or "recipe" (module_recipe.cpp)
  fs::path ko;                   // the finished module
  std::string build_id;
  std::vector<std::pair<std::string, double>> timings;  // stage, seconds
  // Printed after the stage that found them, and kept in the report.
  std::vector<std::string> warnings;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  // Why the build failed (the first line of its error), "" while it has not.
  std::string failure;
  std::string compiler_version;  // `CC --version`, first line, once asked (originals.cpp)
  size_t originals_from_cache = 0;
  size_t module_objects_from_cache = 0;  // the link's compiles reused (module_objects.cpp)
  std::optional<OotTarget> oot;  // set by check_oot_module when cfg.oot_module is

  // Where the patches apply and object paths are relative to: the private
  // tree, or with --oot-module the copy of the module's source dir.
  const fs::path& src_root() const { return oot ? oot->copy : tree; }

  std::string module_name() const { return manifest.module_name(); }
};

// Thrown by a pass for a user-facing build failure; main() prints it, the
// log path, and exits 1.
class BuildError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The passes, in order.
void prepare_target(BuildCtx& ctx);      // fetch and prepare the kernel (cached)
void check_kernel_files(BuildCtx& ctx);  // vmlinux whole and of this release (kernel_files.cpp)
void check_compiler(BuildCtx& ctx);      // the kernel's compiler, unless overridden
// The Debian package of a compiler command: gcc-12 for gcc-12 and for
// x86_64-linux-gnu-gcc-12 (what 6.12's CONFIG_CC_VERSION_TEXT names).
std::string compiler_package(const std::string& cc);
void make_workdir(BuildCtx& ctx);  // private view of the tree
void release_workdir(BuildCtx& ctx);
void check_patches(BuildCtx& ctx);     // every hunk applies (dry run), changed files
void find_objects(BuildCtx& ctx);      // objects the changed files build
void compile_original(BuildCtx& ctx);  // before the patch
void apply_patches(BuildCtx& ctx);
void compile_patched(BuildCtx& ctx);      // after the patch
void check_exported_crcs(BuildCtx& ctx);  // exported symbols keep their CRCs
void diff_objects(BuildCtx& ctx);         // create-diff-object per object
void judge_diffs(BuildCtx& ctx);          // any refusal, or no change at all, stops the build
// kpatch's entry-size variables (ALT_STRUCT_SIZE=14, ...) for the kernel
// whose vmlinux is given, from its BTF; a variable set (non-empty) in the
// environment is kept as it is. Structs the kernel lacks are left out
// (diff.cpp).
std::map<std::string, std::string> kernel_size_variables(const fs::path& vmlinux);
void verify_originals(BuildCtx& ctx);  // replaced functions match the shipped binaries
// The message for a link that failed on symbols nothing resolves (modpost's
// "undefined!"), naming each and the patched objects that need it; "" when
// the output has none.
std::string unresolved_symbols(const std::string& make_output, const fs::path& module_dir);
// The value of KEY in a kernel .config, without the quotes of a string;
// "" when it is unset.
std::string config_value(const fs::path& config, const std::string& key);
// Whether Kbuild runs objtool on the link of a multi-object module such as
// the patch module (its delay-objtool: CONFIG_X86_KERNEL_IBT or
// CONFIG_LTO_CLANG, with CONFIG_OBJTOOL), rather than on each object.
bool objtool_at_module_link(const fs::path& config);
// The tables objtool writes into an object, which it does not write when
// the object already has them ("file already has .return_sites, skipping").
const std::vector<std::string>& objtool_tables();
void assemble_module(BuildCtx& ctx);     // Kbuild: hook + diff outputs
void check_module_loads(BuildCtx& ctx);  // what the kernel checks at load (load_check.cpp)
void finish_module(BuildCtx& ctx);       // klp relocations, signature, output
void write_report(BuildCtx& ctx);        // JSON next to the module
// One object's result as a JSON object (the report's and --check's).
std::string object_json(const ObjectJob& o);
// "patched", "refused", "unchanged" or "error" for a differ exit status.
const char* diff_outcome(int status);

// Helpers shared by passes and tests.
// The files a patch changes (-p1), each with the line of its "+++ " and
// whether the patch creates it. Throws BuildError "PATCH:LINE: ..." for an
// absolute name or one with "..".
struct PatchedFile {
  std::string name;
  int line = 0;
  bool created = false;
};
// `root` names the top the names are relative to in those messages ("":
// the kernel tree).
std::vector<PatchedFile> patched_files(const fs::path& patch, const std::string& diff_text,
                                       const std::string& root = "");
std::vector<std::string> files_in_patch(const std::string& diff_text);
std::string patch_failure(const fs::path& patch, const std::string& patch_output);
// Hunks GNU patch applied with fuzz or at an offset, from its output.
struct InexactHunk {
  std::string file;
  int hunk = 0, line = 0, fuzz = 0, offset = 0;
};
std::vector<InexactHunk> inexact_hunks(const std::string& patch_output);
fs::path module_symtab(BuildCtx& ctx, const std::string& module);                    // readelf -s of a module
std::map<std::string, std::string> read_symvers_lines(const std::string& cmd_text);  // #SYMVER sym crc
// Kbuild's .<object>.cmd file, and what it says the object was compiled
// for: "vmlinux", a module name ('-' as '_'), or "" for a module object
// without KBUILD_MODNAME.
fs::path kbuild_cmd_file(const fs::path& tree, const std::string& obj);
std::string kbuild_parent(const std::string& cmd_text);
// KEY's value in a kernel .config, quotes removed; "" when unset.
std::string config_value(const fs::path& config, const std::string& key);
// `make -C TREE [M=OOT-COPY] -jN MAKE-ARGS...` (-k when `keep_going`): the
// command that compiles objects (append them, relative to src_root()).
Command kbuild_objects_command(const BuildCtx& ctx, bool keep_going = false);

}  // namespace kp
