#include "diff/parent_symtab.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include "diff/symtab_index.h"
#include "support/diag.h"
#include "support/file.h"

namespace kp {

namespace {

// A hand-written scanner over the whole text: vmlinux.symtab has some
// 120,000 lines, and reading them through istringstreams cost most of the
// differ's instructions on a small object.
//
//   "   123: ffffffff81000000    42 FUNC    LOCAL  DEFAULT    1 name"
//
// Seven blank-separated fields, then the name: the rest of the line after
// the blanks that follow the section index.
class LineScanner {
 public:
  explicit LineScanner(std::string_view line) : rest_(line) {}

  std::string_view field() {
    skip_blanks();
    size_t end = 0;
    while (end < rest_.size() && !is_blank(rest_[end])) ++end;
    std::string_view f = rest_.substr(0, end);
    rest_.remove_prefix(end);
    return f;
  }
  std::string_view rest() {
    skip_blanks();
    return rest_;
  }

 private:
  static bool is_blank(char c) { return c == ' ' || c == '\t'; }
  void skip_blanks() {
    size_t n = 0;
    while (n < rest_.size() && is_blank(rest_[n])) ++n;
    rest_.remove_prefix(n);
  }
  std::string_view rest_;
};

bool parse_number(std::string_view s, int base, uint64_t& out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && end == s.data() + s.size();
}

SymType type_of(std::string_view t) {
  if (t == "FUNC") return SymType::Func;
  if (t == "OBJECT") return SymType::Object;
  if (t == "NOTYPE") return SymType::NoType;
  if (t == "FILE") return SymType::File;
  if (t == "SECTION") return SymType::Section;
  if (t == "TLS") return SymType::Tls;
  return SymType::Other;
}

SymBind bind_of(std::string_view b) {
  if (b == "LOCAL") return SymBind::Local;
  if (b == "GLOBAL") return SymBind::Global;
  if (b == "WEAK") return SymBind::Weak;
  return SymBind::Other;
}

// `num` is the line's first field, already read.
bool parse_line(LineScanner& in, std::string_view num, ParentSym& out, std::string_view& name) {
  std::string_view value = in.field(), size = in.field(), type = in.field(), bind = in.field(), vis = in.field(),
                   ndx = in.field();
  if (ndx.empty() || vis.empty() || num.size() < 2 || num.back() != ':') return false;
  // readelf appends "@VERSION" for versioned symbols and may prefix bracketed
  // visibility notes; neither occurs in kernel symtabs, keep the raw name.
  bool hex_size = size.starts_with("0x");
  if (!parse_number(value, 16, out.value) ||
      !parse_number(hex_size ? size.substr(2) : size, hex_size ? 16 : 10, out.size))
    return false;
  name = in.rest();
  out.type = type_of(type);
  out.bind = bind_of(bind);
  out.defined = ndx != "UND";
  return true;
}

// The next line of `text` from `pos`, without its newline.
std::string_view next_line(std::string_view text, size_t& pos) {
  size_t end = text.find('\n', pos);
  if (end == std::string_view::npos) end = text.size();
  std::string_view line = text.substr(pos, end - pos);
  pos = end + 1;
  return line;
}

// What a table parsed from text owns.
struct OwnedArrays {
  std::vector<ParentSym> syms;
  std::vector<uint32_t> by_name;
  std::vector<ParentFile> files;
  std::string strings;

  uint32_t add_string(std::string_view s) {
    auto off = static_cast<uint32_t>(strings.size());
    strings.append(s);
    return off;
  }
};

}  // namespace

ParentSymtab ParentSymtab::parse_file(const std::string& path, bool address_order) {
  if (is_symtab_index(path)) return load_symtab_index(path, address_order);
  auto text = read_file(path);
  if (!text) throw Fatal(path + ": error: cannot read the parent symbol table [unreadable-symtab]");
  return parse(path, *text, address_order);
}

ParentSymtab ParentSymtab::parse(const std::string& name, const std::string& text, bool address_order) {
  auto own = std::make_shared<OwnedArrays>();
  own->files.emplace_back();
  std::string_view all(text);
  size_t lineno = 0;
  bool in_table = false;
  uint32_t file = 0;
  // About 70 bytes a line in vmlinux.symtab, 20 of them the name.
  own->syms.reserve(all.size() / 64);
  own->strings.reserve(all.size() / 3);
  for (size_t pos = 0; pos < all.size();) {
    std::string_view line = next_line(all, pos);
    ++lineno;
    if (line.starts_with("Symbol table")) {
      in_table = line.find(".symtab") != std::string::npos;
      continue;
    }
    if (!in_table) continue;
    LineScanner in(line);
    std::string_view num = in.field();
    if (num.empty() || num == "Num:") continue;  // a blank line, the column header
    ParentSym s;
    std::string_view sym_name;
    if (!parse_line(in, num, s, sym_name) || own->strings.size() + sym_name.size() > UINT32_MAX)
      throw Fatal(name + ":" + std::to_string(lineno) + ": error: not a `readelf -s --wide` symbol line: '" +
                  std::string(line) + "' [unreadable-symtab]");
    if (s.type == SymType::File) {
      own->files.push_back({own->add_string(sym_name), static_cast<uint32_t>(sym_name.size())});
      file = static_cast<uint32_t>(own->files.size() - 1);
      continue;
    }
    s.name_off = own->add_string(sym_name);
    s.name_len = static_cast<uint32_t>(sym_name.size());
    s.file = s.bind == SymBind::Local ? file : 0;
    own->syms.push_back(s);
  }
  if (own->syms.empty())
    throw Fatal(name +
                ": error: no .symtab symbols found; expected the output of `readelf -s --wide` "
                "[unreadable-symtab]");
  own->by_name.resize(own->syms.size());
  for (size_t i = 0; i < own->by_name.size(); ++i) own->by_name[i] = static_cast<uint32_t>(i);
  std::string_view strings(own->strings);
  auto name_at = [&](uint32_t i) { return strings.substr(own->syms[i].name_off, own->syms[i].name_len); };
  std::stable_sort(own->by_name.begin(), own->by_name.end(),
                   [&](uint32_t a, uint32_t b) { return name_at(a) < name_at(b); });
  SymtabArrays arrays{own->syms, own->by_name, own->files, own->strings};
  return adopt(name, std::move(own), arrays, address_order);
}

ParentSymtab ParentSymtab::adopt(const std::string& name, std::shared_ptr<const void> storage, SymtabArrays arrays,
                                 bool address_order) {
  ParentSymtab t;
  t.path_ = name;
  t.storage_ = std::move(storage);
  t.address_order_ = address_order;
  t.a_ = arrays;
  return t;
}

std::span<const uint32_t> ParentSymtab::named(std::string_view name) const {
  auto lo = std::lower_bound(a_.by_name.begin(), a_.by_name.end(), name,
                             [&](uint32_t i, std::string_view n) { return name_of(a_.syms[i]) < n; });
  auto hi = std::upper_bound(lo, a_.by_name.end(), name,
                             [&](std::string_view n, uint32_t i) { return n < name_of(a_.syms[i]); });
  return {lo, hi};
}

std::vector<size_t> ParentSymtab::find_file_blocks(const std::string& source,
                                                   const std::vector<std::string>& locals) const {
  std::vector<size_t> out;
  for (size_t f = 1; f < a_.files.size(); ++f) {
    if (a_.strings.substr(a_.files[f].name_off, a_.files[f].name_len) != source) continue;
    bool all = std::all_of(locals.begin(), locals.end(), [&](const std::string& n) {
      auto run = named(n);
      return std::any_of(run.begin(), run.end(), [&](uint32_t i) { return a_.syms[i].file == f; });
    });
    if (all) out.push_back(f);
  }
  return out;
}

std::optional<uint32_t> ParentSymtab::local_sympos(size_t file, const std::string& name) const {
  std::vector<uint32_t> same;
  for (uint32_t i : named(name)) {
    const ParentSym& s = a_.syms[i];
    if (s.defined &&
        (s.type == SymType::Func || s.type == SymType::Object || s.type == SymType::NoType || s.type == SymType::Tls))
      same.push_back(i);
  }
  auto key = [&](uint32_t i) {
    return address_order_ ? std::pair<uint64_t, uint32_t>(a_.syms[i].value, i) : std::pair<uint64_t, uint32_t>(i, i);
  };
  std::sort(same.begin(), same.end(), [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
  for (size_t i = 0; i < same.size(); ++i)
    if (a_.syms[same[i]].file == file && a_.syms[same[i]].bind == SymBind::Local) return static_cast<uint32_t>(i + 1);
  return std::nullopt;
}

bool ParentSymtab::defines_global(const std::string& name) const {
  auto run = named(name);
  return std::any_of(run.begin(), run.end(), [&](uint32_t i) {
    const ParentSym& s = a_.syms[i];
    return s.defined && s.bind != SymBind::Local;
  });
}

bool ParentSymtab::imports(const std::string& name) const {
  auto run = named(name);
  return !run.empty() && std::all_of(run.begin(), run.end(), [&](uint32_t i) { return !a_.syms[i].defined; });
}

}  // namespace kp
