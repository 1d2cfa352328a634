#include "diff/symtab_index.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "support/diag.h"
#include "support/file.h"

namespace kp {

namespace {

constexpr char kMagic[8] = {'K', 'P', 'S', 'Y', 'M', 'I', 'D', 'X'};
constexpr uint32_t kVersion = 1;

struct IndexHeader {
  char magic[8];
  uint32_t version;
  uint32_t nsyms;
  uint32_t nfiles;
  uint32_t reserved;
  uint64_t strings_size;
  uint64_t source_size;
  int64_t source_mtime_ns;
  uint64_t checksum;  // of every byte after the header
  uint64_t reserved2;
};
static_assert(sizeof(IndexHeader) == 64);
static_assert(sizeof(IndexHeader) % alignof(ParentSym) == 0, "records follow the header aligned");

// Four independent multiply-xor lanes over 8-byte words: a few ms for the
// 7 MB index of vmlinux. It detects damage (a truncated or overwritten
// file), not tampering.
uint64_t checksum(const unsigned char* p, size_t n) {
  constexpr uint64_t kPrime = 0x100000001b3ULL;
  uint64_t lane[4] = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL, 0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL};
  size_t i = 0;
  for (; i + 32 <= n; i += 32)
    for (int l = 0; l < 4; ++l) {
      uint64_t w;
      std::memcpy(&w, p + i + 8 * l, 8);
      lane[l] = (lane[l] ^ w) * kPrime;
    }
  uint64_t h = lane[0] ^ (lane[1] << 1) ^ (lane[2] << 2) ^ (lane[3] << 3);
  for (; i < n; ++i) h = (h ^ p[i]) * kPrime;
  return (h ^ n) * kPrime;
}

// Byte offsets of the arrays after the header.
struct Layout {
  uint64_t syms, by_name, files, strings, end;
};

Layout layout_of(uint64_t nsyms, uint64_t nfiles, uint64_t strings_size) {
  Layout l{};
  l.syms = sizeof(IndexHeader);
  l.by_name = l.syms + nsyms * sizeof(ParentSym);
  l.files = l.by_name + nsyms * sizeof(uint32_t);
  l.strings = l.files + nfiles * sizeof(ParentFile);
  l.end = l.strings + strings_size;
  return l;
}

// A read-only mapping of a whole file.
struct Mapping {
  void* addr = MAP_FAILED;
  size_t size = 0;
  ~Mapping() {
    if (addr != MAP_FAILED) ::munmap(addr, size);
  }
  const unsigned char* bytes() const { return static_cast<const unsigned char*>(addr); }
};

[[noreturn]] void corrupt(const std::string& path, const std::string& what) {
  throw Fatal(path + ": error: corrupt symbol table index: " + what +
              "; remove it (kpatch-build remakes it from the text) [corrupt-symtab-index]");
}

// Whether the first `n` bytes of `path` (n >= the magic's size) could be
// read into `buf` and begin with the magic.
bool read_with_magic(const std::string& path, void* buf, size_t n) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t got = ::pread(fd, buf, n, 0);
  ::close(fd);
  return got == static_cast<ssize_t>(n) && std::memcmp(buf, kMagic, sizeof kMagic) == 0;
}

bool read_header(const std::string& path, IndexHeader& h) {
  return read_with_magic(path, &h, sizeof h);
}

}  // namespace

std::optional<SymtabStamp> symtab_stamp(const std::string& text_path) {
  struct stat st {};
  if (::stat(text_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return SymtabStamp{static_cast<uint64_t>(st.st_size),
                     static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

bool is_symtab_index(const std::string& path) {
  char magic[sizeof kMagic];
  return read_with_magic(path, magic, sizeof magic);
}

ParentSymtab load_symtab_index(const std::string& path, bool address_order) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Fatal(path + ": error: cannot read the parent symbol table [unreadable-symtab]");
  struct stat st {};
  auto map = std::make_shared<Mapping>();
  if (::fstat(fd, &st) == 0 && static_cast<size_t>(st.st_size) >= sizeof(IndexHeader)) {
    map->size = static_cast<size_t>(st.st_size);
    map->addr = ::mmap(nullptr, map->size, PROT_READ, MAP_PRIVATE, fd, 0);
  }
  ::close(fd);
  if (map->addr == MAP_FAILED) {
    if (static_cast<size_t>(st.st_size) < sizeof(IndexHeader))
      corrupt(path, std::to_string(st.st_size) + " bytes, shorter than its 64-byte header");
    throw Fatal(path + ": error: cannot map the symbol table index: " + std::strerror(errno) + " [unreadable-symtab]");
  }
  IndexHeader h;
  std::memcpy(&h, map->bytes(), sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) corrupt(path, "no KPSYMIDX magic");
  if (h.version != kVersion)
    corrupt(path, "version " + std::to_string(h.version) + ", expected " + std::to_string(kVersion));
  if (h.nsyms == 0 || h.nfiles == 0) corrupt(path, "no symbols or no file table");
  Layout l = layout_of(h.nsyms, h.nfiles, h.strings_size);
  if (l.end != map->size)
    corrupt(path,
            "the header describes " + std::to_string(l.end) + " bytes, the file has " + std::to_string(map->size));
  uint64_t sum = checksum(map->bytes() + sizeof h, map->size - sizeof h);
  if (sum != h.checksum) corrupt(path, "checksum mismatch (damaged or truncated)");

  SymtabArrays a;
  a.syms = {reinterpret_cast<const ParentSym*>(map->bytes() + l.syms), h.nsyms};
  a.by_name = {reinterpret_cast<const uint32_t*>(map->bytes() + l.by_name), h.nsyms};
  a.files = {reinterpret_cast<const ParentFile*>(map->bytes() + l.files), h.nfiles};
  a.strings = {reinterpret_cast<const char*>(map->bytes() + l.strings), h.strings_size};
  // A checksum that holds on a file written wrongly (another tool, a bug)
  // must still not send a lookup out of bounds.
  auto in_strings = [&](uint32_t off, uint32_t len) { return uint64_t{off} + len <= h.strings_size; };
  for (size_t i = 0; i < a.syms.size(); ++i) {
    const ParentSym& s = a.syms[i];
    if (!in_strings(s.name_off, s.name_len) || s.file >= h.nfiles || s.type > SymType::Other ||
        s.bind > SymBind::Other || s.defined > 1)
      corrupt(path, "symbol record " + std::to_string(i) + " out of range");
    if (a.by_name[i] >= h.nsyms) corrupt(path, "name order entry " + std::to_string(i) + " out of range");
  }
  for (size_t f = 0; f < a.files.size(); ++f)
    if (!in_strings(a.files[f].name_off, a.files[f].name_len))
      corrupt(path, "file record " + std::to_string(f) + " out of range");
  return ParentSymtab::adopt(path, std::move(map), a, address_order);
}

std::optional<SymtabStamp> symtab_index_source(const std::string& index_path) {
  IndexHeader h;
  if (!read_header(index_path, h) || h.version != kVersion) return std::nullopt;
  return SymtabStamp{h.source_size, h.source_mtime_ns};
}

void write_symtab_index(const ParentSymtab& table, const SymtabStamp& source, const std::string& path) {
  const SymtabArrays& a = table.arrays();
  Layout l = layout_of(a.syms.size(), a.files.size(), a.strings.size());
  std::string out(l.end, '\0');
  auto put = [&](uint64_t at, const void* p, size_t n) {
    if (n != 0) std::memcpy(out.data() + at, p, n);
  };
  put(l.syms, a.syms.data(), a.syms.size_bytes());
  put(l.by_name, a.by_name.data(), a.by_name.size_bytes());
  put(l.files, a.files.data(), a.files.size_bytes());
  put(l.strings, a.strings.data(), a.strings.size());
  IndexHeader h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kVersion;
  h.nsyms = static_cast<uint32_t>(a.syms.size());
  h.nfiles = static_cast<uint32_t>(a.files.size());
  h.strings_size = a.strings.size();
  h.source_size = source.size;
  h.source_mtime_ns = source.mtime_ns;
  h.checksum = checksum(reinterpret_cast<const unsigned char*>(out.data()) + sizeof h, out.size() - sizeof h);
  put(0, &h, sizeof h);
  write_file_atomically(path, out);
}

IndexResult ensure_symtab_index(const std::string& text_path) {
  IndexResult r;
  r.path = text_path + ".idx";
  auto stamp = symtab_stamp(text_path);
  if (!stamp) throw Fatal(text_path + ": error: cannot read the parent symbol table [unreadable-symtab]");
  if (::access(r.path.c_str(), F_OK) == 0) {
    auto recorded = symtab_index_source(r.path);
    if (!recorded) {
      r.why = "not an index of this version";
    } else if (*recorded != *stamp) {
      r.why = "made from another " + text_path + " (size or modification time differ)";
    } else {
      try {
        (void)load_symtab_index(r.path, true);
        return r;  // Reused
      } catch (const Fatal& e) {
        r.why = e.what();
      }
    }
    r.outcome = IndexOutcome::Remade;
  } else {
    r.outcome = IndexOutcome::Made;
  }
  ParentSymtab table = ParentSymtab::parse_file(text_path, true);
  try {
    write_symtab_index(table, *stamp, r.path);
  } catch (const Fatal& e) {
    r.outcome = IndexOutcome::Unwritable;
    r.why = e.what();
    r.path = text_path;
  }
  return r;
}

}  // namespace kp
