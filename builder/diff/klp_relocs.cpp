// References from the patch to the running kernel.
//
// Code copied into the patch still calls and reads things that stay where
// they are: unchanged functions, existing data, other objects' symbols.
// The module loader resolves only exported symbols. Everything else is
// resolved by livepatch itself when the patch (or the patched module) is
// loaded, through SHN_LIVEPATCH symbols named
//
//     .klp.sym.<object>.<name>,<sympos>
//
// where <object> is vmlinux or the module holding the symbol and <sympos>
// tells same-named locals apart (0 for a unique global). The differ emits
// such names as undefined symbols; the module builder turns the relocations
// against them into .klp.rela.<object>.<section> sections.
//
// Decision for a symbol named N (the original's name for renamed locals):
//   exported by vmlinux                         plain N
//   exported by another module M, from a module .klp.sym.<parent>.M:N,0
//   a global the parent defines                 .klp.sym.<parent>.N,0
//   a global the parent imports (undefined)     plain N: the parent links it so
//   a local of the original object              .klp.sym.<parent>.N,<pos>
//   any other global                            plain N: the link's business
//
// An export of another module is resolved by livepatch too, so that the
// patch module does not depend on (load after, and pin) that module. The
// relocation must be applied when the patched module loads (the exporter
// is then loaded, being a dependency of it) and resolved in the exporter:
// the livepatch section is .klp.rela.<parent>.<sec>, the symbol
// .klp.sym.M.N,0. The differ's name carries both, <parent> first as in
// every .klp.sym. name; the module builder (module/klp_convert.cpp)
// splits it at the ':', which no object or symbol name holds.
//
// The last rule is kpatch's: a global that neither the parent nor
// Module.symvers knows may be defined by another object of the patch
// module (a new function added in another file), or come from the kernel
// in a way the parent symtab does not show (`empty_zero_page`, `jiffies`,
// which vmlinux.lds defines). Only the link of the whole patch module can
// tell, so kpatch-build checks the module's undefined symbols, not the
// differ.
#include "diff/klp_relocs.h"

#include "common/names.h"
#include "diff/kernel_data.h"

namespace kp {

namespace {

size_t undefined_symbol(DiffCtx& ctx, const std::string& name) {
  auto it = ctx.klp_symbol.find(name);
  if (it != ctx.klp_symbol.end()) return it->second;
  OutSymbol s;
  s.name = name;
  // Weak, so that modpost accepts the patch module with these unresolved;
  // create-klp-module then makes them SHN_LIVEPATCH.
  s.bind = name.starts_with(".klp.sym.") ? STB_WEAK : STB_GLOBAL;
  s.section = kUndef;
  size_t i = ctx.out.add_symbol(s);
  ctx.klp_symbol.emplace(name, i);
  return i;
}

// A call the patch copies to an exported static call trampoline (the
// out-of-line path of static_call(foo)): objtool records the site when it
// checks the linked patch module (6.12's IBT kernels run it there), with
// the key when the module names `__SCK__foo`, else with the trampoline,
// which the kernel maps back to a key only for a trampoline exported alone
// (EXPORT_STATIC_CALL_TRAMP; "Failed to fixup __raw_static_call() usage"
// and no load otherwise). A module's own static_call() names the key (it
// makes it addressable, in a section the differ drops with the rest of
// .discard), so when the key is exported beside the trampoline the patch
// names it too, as an undefined symbol nothing else refers to.
void name_static_call_key(DiffCtx& ctx, const std::string& trampoline, const std::string& exporter) {
  std::optional<std::string> key = static_call_key_of(trampoline);
  if (key && ctx.symvers.exporter(*key) == exporter) undefined_symbol(ctx, *key);
}

std::string klp_name(const std::string& obj, const std::string& name, uint32_t pos) {
  return ".klp.sym." + obj + "." + name + "," + std::to_string(pos);
}

// Locals of the original object the parent must contain, to recognise its
// FILE block: every local function with code (inlined-away ones are absent).
std::vector<std::string> identifying_locals(const Object& obj) {
  std::vector<std::string> out;
  for (const Symbol& s : obj.symbols())
    if (s.is_local() && s.is_func() && s.size() > 0 && s.sec != nullptr && !is_special_static(s)) out.push_back(s.name);
  return out;
}

std::optional<size_t> file_block(DiffCtx& ctx, const std::string& needed, const Where& where) {
  if (ctx.parent_file_block) return ctx.parent_file_block;
  const std::string& source = ctx.orig->source_name();
  std::vector<size_t> blocks = ctx.parent->find_file_blocks(source, identifying_locals(*ctx.orig));
  if (blocks.empty()) blocks = ctx.parent->find_file_blocks(source, {needed});
  if (blocks.size() == 1) return ctx.parent_file_block = blocks.front();
  ctx.diag.unsupported(where,
                       blocks.empty() ? "no FILE symbol '" + source + "' in " + ctx.parent->path() +
                                            " holds the local '" + needed + "'; is this the right parent?"
                                      : std::to_string(blocks.size()) + " FILE blocks '" + source + "' in " +
                                            ctx.parent->path() + " match this object",
                       blocks.empty() ? "symbol-not-in-parent" : "ambiguous-file");
  return std::nullopt;
}

}  // namespace

std::optional<uint32_t> parent_sympos(DiffCtx& ctx, const Symbol& orig, const Where& where) {
  if (!orig.is_local()) return 0;
  auto block = file_block(ctx, orig.name, where);
  if (!block) return std::nullopt;
  if (auto pos = ctx.parent->local_sympos(*block, orig.name)) return pos;
  ctx.diag.unsupported(where, "local symbol '" + orig.name + "' is not in " + ctx.parent->path(),
                       "symbol-not-in-parent");
  return std::nullopt;
}

std::optional<size_t> reference_symbol(DiffCtx& ctx, const Symbol& sym, const Where& where) {
  const Symbol& orig = sym.twin != nullptr ? *sym.twin : sym;
  const std::string& name = orig.name;
  const std::string& parent = ctx.cfg.parent_name;
  if (!sym.is_undef() && sym.twin == nullptr) {
    ctx.diag.unsupported(where, "'" + sym.name + "' is new but was not included", "internal");
    return std::nullopt;
  }
  if (orig.is_local() && !orig.is_undef()) {
    auto pos = parent_sympos(ctx, orig, where);
    if (!pos) return std::nullopt;
    return undefined_symbol(ctx, klp_name(parent, name, *pos));
  }
  std::string exporter = ctx.symvers.exporter(name);
  // Exports of vmlinux always link. A module's exports would make the patch
  // depend on (and pin) that module, so those go through klp.
  if (exporter == "vmlinux" || (!exporter.empty() && exporter != parent && !ctx.is_module_parent())) {
    name_static_call_key(ctx, name, exporter);
    return undefined_symbol(ctx, name);
  }
  if (!exporter.empty() && exporter != parent)
    return undefined_symbol(ctx, klp_name(parent, exporter + kKlpOtherObject + name, 0));
  if (ctx.parent->defines_global(name) || exporter == parent) return undefined_symbol(ctx, klp_name(parent, name, 0));
  if (!ctx.parent->imports(name))
    ctx.diag.debug("reference: '" + name + "' is neither exported nor in " + ctx.parent->path() + "; " +
                   (ctx.cfg.patch_globals.contains(name) ? "another object of the patch defines it"
                                                         : "left to the link of the patch module"));
  return undefined_symbol(ctx, name);
}

}  // namespace kp
