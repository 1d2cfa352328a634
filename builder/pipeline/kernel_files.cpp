// Checking the kernel's files before they are used.
//
// A download cut short leaves a vmlinux that libelf still opens: its
// sections past the cut read as empty, and every replaced function then
// "differs from vmlinux", which blames the tree instead of the file. So a
// binary is first checked to be whole: the ELF header, the section header
// table and every section with contents lie inside the file.
//
// Then the files must be of one kernel. In the cache they come from
// different Debian packages (vmlinux from -dbg, the image from -unsigned,
// config from -headers), each stored by its own stage, so a vmlinux copied
// in from another release would give a module with that kernel's
// addresses and build ID, and no word. Each file says which kernel it is:
//
//   vmlinux   linux_banner "Linux version 6.1.0-56-cloud-amd64 (...)", and
//             its GNU build ID note
//   vmlinuz   the bzImage header's kernel_version "6.1.0-56-cloud-amd64 ...",
//             and the build ID of the vmlinux compressed inside it, which
//             kernel-tree records as image.build-id
//   config    CONFIG_BUILD_SALT, which Debian sets to the release
//   Module.symvers  the CRCs of vmlinux's exports, which vmlinux has as
//             the words its __crc_ symbols point at (CONFIG_MODVERSIONS)
//
// and all must agree with the release being built for. With -s the tree's
// UTS_RELEASE is the release, and vmlinux's banner must say it.
#include "pipeline/kernel_files.h"

#include <elf.h>
#include <gelf.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "common/names.h"
#include "elf/elf_file.h"
#include "pipeline/build_id.h"

namespace kp {

namespace {

std::string truncated(const fs::path& path, const std::string& what, uint64_t end, uint64_t size,
                      const std::string& advice) {
  return path.string() + ": truncated: " + what + " ends at byte " + std::to_string(end) + " but the file has " +
         std::to_string(size) + " bytes" + advice;
}

template <typename T>
bool read_at(std::ifstream& in, uint64_t offset, T& out) {
  in.seekg(static_cast<std::streamoff>(offset));
  return static_cast<bool>(in.read(reinterpret_cast<char*>(&out), sizeof out));
}

}  // namespace

namespace {

void check_exists(const fs::path& path, const std::string& advice) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw BuildError(path.string() + ": not found" + advice);
}

}  // namespace

void check_whole_elf(const fs::path& path, const std::string& advice) {
  std::error_code ec;
  uint64_t size = fs::file_size(path, ec);
  if (ec) throw BuildError(path.string() + ": cannot read: " + ec.message() + advice);
  std::ifstream in(path, std::ios::binary);
  Elf64_Ehdr eh{};
  if (!read_at(in, 0, eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64)
    throw BuildError(path.string() + ": not a 64-bit ELF file (" + std::to_string(size) + " bytes)" + advice);
  if (eh.e_shentsize != sizeof(Elf64_Shdr))
    throw BuildError(path.string() + ": bad section header size " + std::to_string(eh.e_shentsize) + advice);
  uint64_t table_end = eh.e_shoff + uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr);
  if (table_end > size) throw BuildError(truncated(path, "the section header table", table_end, size, advice));
  for (unsigned i = 1; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh{};
    if (!read_at(in, eh.e_shoff + uint64_t{i} * sizeof sh, sh))
      throw BuildError(path.string() + ": cannot read section header " + std::to_string(i) + advice);
    if (sh.sh_type == SHT_NOBITS || sh.sh_type == SHT_NULL) continue;
    if (sh.sh_offset > size || sh.sh_size > size - sh.sh_offset)
      throw BuildError(truncated(path, "section " + std::to_string(i), sh.sh_offset + sh.sh_size, size, advice));
  }
}

}  // namespace kp

namespace kp {

namespace {

// "6.1.0-56-cloud-amd64" from "Linux version 6.1.0-56-cloud-amd64 (...".
std::string banner_release(std::string_view banner) {
  constexpr std::string_view kPrefix = "Linux version ";
  if (!banner.starts_with(kPrefix)) return {};
  banner.remove_prefix(kPrefix.size());
  return std::string(banner.substr(0, banner.find_first_of(" \n")));
}

// What one of the kernel's files says it is.
struct Identity {
  std::string what;  // "vmlinux"
  fs::path path;
  std::string release, build_id;  // "" where the file does not say
};

std::string describe(const Identity& id) {
  std::string s = id.what + " " + id.path.string() + " is " + (id.release.empty() ? "of no known release" : id.release);
  if (!id.build_id.empty()) s += ", build ID " + id.build_id;
  return s;
}

std::string first_line(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

namespace {

// The bytes at a symbol's address, to the end of its section; empty when
// it points outside.
std::string_view symbol_bytes(const elf::ElfFile& f, const GElf_Sym& sym) {
  if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= f.section_count()) return {};
  GElf_Shdr where = f.shdr(sym.st_shndx);
  auto bytes = f.bytes(sym.st_shndx);
  if (sym.st_value < where.sh_addr || sym.st_value - where.sh_addr >= bytes.size()) return {};
  uint64_t off = sym.st_value - where.sh_addr;
  return {reinterpret_cast<const char*>(bytes.data()) + off, bytes.size() - off};
}

}  // namespace

VmlinuxIdentity read_vmlinux_identity(const fs::path& vmlinux) {
  elf::ElfFile f = elf::ElfFile::open_read(vmlinux.string());
  VmlinuxIdentity out;
  for (size_t i = 1; i < f.section_count(); ++i) {
    GElf_Shdr sh = f.shdr(i);
    if (sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0) continue;
    Elf_Data* d = elf_getdata(elf_getscn(f.get(), i), nullptr);
    for (size_t k = 1; d != nullptr && k < sh.sh_size / sh.sh_entsize; ++k) {
      GElf_Sym sym;
      if (gelf_getsym(d, static_cast<int>(k), &sym) == nullptr) continue;
      std::string name = f.string_at(sh.sh_link, sym.st_name, "symbol");
      if (name == "linux_banner") {
        std::string_view text = symbol_bytes(f, sym);
        out.release = banner_release(text.substr(0, text.find('\0')));
      } else if (name.starts_with("__crc_")) {
        // CONFIG_MODVERSIONS: the CRC is the word the symbol points at.
        std::string_view word = symbol_bytes(f, sym);
        uint32_t crc = 0;
        if (word.size() < sizeof crc) continue;
        std::memcpy(&crc, word.data(), sizeof crc);
        out.crcs.emplace(name.substr(6), crc);
      }
    }
  }
  return out;
}

std::string vmlinux_release(const fs::path& vmlinux) {
  return read_vmlinux_identity(vmlinux).release;
}

std::string bzimage_release(const fs::path& image) {
  std::ifstream in(image, std::ios::binary);
  char magic[4] = {};
  uint16_t version_at = 0;
  in.seekg(0x202);
  in.read(magic, 4);
  in.seekg(0x20e);
  in.read(reinterpret_cast<char*>(&version_at), 2);
  if (!in || std::memcmp(magic, "HdrS", 4) != 0 || version_at == 0) return {};
  in.seekg(version_at + 0x200);
  std::string text(256, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return text.substr(0, text.find_first_of(std::string(" \0", 2)));
}

namespace {

// How Kbuild's modules_install compresses (scripts/Makefile.modinst) and
// how each is undone in place: FILE.ko.xz -> FILE.ko, the compressed copy
// removed.
struct Compression {
  std::string_view suffix;  // after ".ko"
  std::vector<std::string> argv;
  std::string_view package;  // Debian's
};

const std::vector<Compression>& compressions() {
  static const std::vector<Compression> all{
      {".xz", {"xz", "-d", "-f", "-q"}, "xz-utils"},
      {".zst", {"zstd", "-d", "-f", "-q", "--rm"}, "zstd"},
      {".gz", {"gzip", "-d", "-f", "-q"}, "gzip"},
  };
  return all;
}

const Compression* compression_of(const std::string& filename) {
  for (const Compression& c : compressions())
    if (filename.ends_with(".ko" + std::string(c.suffix))) return &c;
  return nullptr;
}

}  // namespace

std::optional<std::string> module_name_of_file(const std::string& filename) {
  std::string n = filename;
  if (const Compression* c = compression_of(n)) n.resize(n.size() - c->suffix.size());
  if (!n.ends_with(".ko") || n.size() == 3) return std::nullopt;
  n.resize(n.size() - 3);
  return kbuild_module_name(n);
}

std::string module_compression(const fs::path& file) {
  const Compression* c = compression_of(file.filename().string());
  return c == nullptr ? "" : std::string(c->suffix);
}

fs::path module_elf(BuildCtx& ctx, const fs::path& file) {
  const Compression* c = compression_of(file.filename().string());
  if (c == nullptr) return file;
  std::string advice = damaged_cache_advice(ctx);
  std::string name = file.filename().string();
  fs::path dir = ctx.work / "shipped-modules";
  fs::path elf = dir / name.substr(0, name.size() - c->suffix.size());
  if (fs::is_regular_file(elf)) return elf;  // decompressed and checked before
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::path copy = dir / name;
  fs::copy_file(file, copy, fs::copy_options::overwrite_existing, ec);
  if (ec) throw BuildError(file.string() + ": cannot read: " + ec.message() + advice);
  Command cmd{c->argv, {}, {}};
  cmd.argv.push_back("--");
  cmd.argv.push_back(copy.string());
  ProcResult r = ctx.run.run(cmd);
  std::string tool = c->argv[0];
  if (r.status == 127)
    throw BuildError(file.string() + ": a module compressed with " + tool +
                     ", which is not installed (Debian package: " + std::string(c->package) + ")");
  std::string said = r.output;
  while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
  // The tool names our copy; the user knows the shipped file.
  for (size_t at; (at = said.find(copy.string())) != std::string::npos;) said.replace(at, copy.string().size(), name);
  if (r.status != 0 || !fs::is_regular_file(elf)) {
    fs::remove(copy, ec);
    fs::remove(elf, ec);
    throw BuildError(file.string() + ": corrupt compressed module: " + tool + " -d failed (exit " +
                     std::to_string(r.status) + (said.empty() ? ")" : "): " + said) + advice);
  }
  try {
    check_whole_elf(elf, "");
  } catch (const BuildError& e) {
    fs::remove(elf, ec);
    std::string why = e.what();
    if (why.starts_with(elf.string() + ": ")) why = why.substr(elf.string().size() + 2);
    throw BuildError(file.string() + ": corrupt compressed module: it decompresses, but not to a whole module (" + why +
                     ")" + advice);
  }
  return elf;
}

std::string damaged_cache_advice(const BuildCtx& ctx) {
  if (ctx.target.cache.empty()) return "";
  return "; the kernel cache " + ctx.target.cache.string() +
         " is damaged: remove that directory and build again (kernel-tree prepare fetches it anew)";
}

namespace {

// Every file must name `release` (config may not say), and their build IDs
// must be one.
void check_agree(const std::vector<Identity>& ids, const std::string& release, const std::string& advice) {
  bool ok = true;
  for (const Identity& id : ids) {
    if (id.release != release && !(id.release.empty() && id.what == "config")) ok = false;
    if (!id.build_id.empty() && !ids[0].build_id.empty() && id.build_id != ids[0].build_id) ok = false;
  }
  if (ok) return;
  std::string msg = "the kernel's files are not all of " + release + ":";
  for (const Identity& id : ids) msg += "\n  " + describe(id);
  throw BuildError(msg + "\n" + advice);
}

// Module.symvers must give vmlinux's exports the CRCs vmlinux has: a
// Module.symvers of another build makes modpost stamp the module with
// CRCs the running kernel refuses.
void check_symvers(const fs::path& symvers, const fs::path& vmlinux, const std::map<std::string, uint32_t>& crcs,
                   const std::string& release, const std::string& advice) {
  if (crcs.empty() || symvers.empty()) return;
  std::ifstream in(symvers);
  size_t compared = 0, differ = 0;
  std::string first;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string crc, name, owner;
    if (!std::getline(fields, crc, '\t') || !std::getline(fields, name, '\t') || !std::getline(fields, owner, '\t') ||
        owner != "vmlinux")
      continue;
    auto it = crcs.find(name);
    if (it == crcs.end()) continue;
    ++compared;
    char ours[16];
    std::snprintf(ours, sizeof ours, "0x%08x", it->second);
    if (std::strtoul(crc.c_str(), nullptr, 16) == it->second) continue;
    if (differ++ == 0) first = name + " is " + crc + " there, " + ours + " in vmlinux";
  }
  if (differ == 0) return;
  throw BuildError("the kernel's files are not all of " + release + ":\n  " + symvers.string() + " gives " +
                   std::to_string(differ) + " of " + std::to_string(compared) + " CRCs of vmlinux " + vmlinux.string() +
                   " otherwise (" + first + ")\n" + advice);
}

}  // namespace

void check_kernel_files(BuildCtx& ctx) {
  const KernelTarget& t = ctx.target;
  check_whole_elf(t.vmlinux, damaged_cache_advice(ctx));
  ctx.build_id = read_build_id(t.vmlinux.string());
  VmlinuxIdentity v = read_vmlinux_identity(t.vmlinux);
  std::vector<Identity> ids{{"vmlinux", t.vmlinux, v.release, ctx.build_id}};
  if (t.cache.empty()) {  // -s: the user's vmlinux against the tree's UTS_RELEASE
    std::string advice =
        "pass -v with the vmlinux of the kernel the tree was prepared as (UTS_RELEASE " + t.release + ")";
    check_agree(ids, t.release, advice);
    check_symvers(t.symvers, t.vmlinux, v.crcs, t.release, "pass --symvers with the Module.symvers of that kernel");
    return;
  }
  // -v without -s: the vmlinux given must be the one of the release's cache.
  if (!ctx.cfg.vmlinux.empty()) {
    std::string given = read_build_id(ctx.cfg.vmlinux.string());
    if (given != ctx.build_id)
      throw BuildError(ctx.cfg.vmlinux.string() + ": build ID " + (given.empty() ? "(none)" : given) +
                       " is not that of Debian's " + t.release + " (" + ctx.build_id +
                       "): it is another build of that release; for a kernel of your own give -s SRCDIR too");
  }
  fs::path image = t.cache / "vmlinuz";
  check_exists(image, damaged_cache_advice(ctx));
  ids.push_back({"image", image, bzimage_release(image), first_line(t.cache / "image.build-id")});
  ids.push_back({"config", t.config, config_value(t.config, "CONFIG_BUILD_SALT"), ""});
  std::string advice = "the kernel cache " + t.cache.string() +
                       " is damaged: remove that directory and build again (kernel-tree prepare fetches it anew)";
  check_agree(ids, t.release, advice);
  check_symvers(t.symvers, t.vmlinux, v.crcs, t.release, advice);
}

}  // namespace kp
