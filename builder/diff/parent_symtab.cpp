#include "diff/parent_symtab.h"

#include <algorithm>
#include <charconv>
#include <string_view>

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

// `num` is the line's first field, already read.
bool parse_line(LineScanner& in, std::string_view num, ParentSym& out) {
  std::string_view value = in.field(), size = in.field(), type = in.field(), bind = in.field(), vis = in.field(),
                   ndx = in.field();
  if (ndx.empty() || vis.empty() || num.size() < 2 || num.back() != ':') return false;
  // readelf appends "@VERSION" for versioned symbols and may prefix bracketed
  // visibility notes; neither occurs in kernel symtabs, keep the raw name.
  bool hex_size = size.starts_with("0x");
  if (!parse_number(value, 16, out.value) ||
      !parse_number(hex_size ? size.substr(2) : size, hex_size ? 16 : 10, out.size))
    return false;
  out.name = in.rest();
  out.type = type;
  out.bind = bind;
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

}  // namespace

ParentSymtab ParentSymtab::parse_file(const std::string& path, bool address_order) {
  auto text = read_file(path);
  if (!text) throw Fatal(path + ": error: cannot read the parent symbol table [unreadable-symtab]");
  return parse_text(path, std::make_shared<const std::string>(std::move(*text)), address_order);
}

ParentSymtab ParentSymtab::parse(const std::string& name, const std::string& text, bool address_order) {
  return parse_text(name, std::make_shared<const std::string>(text), address_order);
}

ParentSymtab ParentSymtab::parse_text(const std::string& name, std::shared_ptr<const std::string> text,
                                      bool address_order) {
  ParentSymtab t;
  t.path_ = name;
  t.text_ = std::move(text);
  t.address_order_ = address_order;
  t.files_.emplace_back();
  std::string_view all(*t.text_);
  size_t lineno = 0;
  bool in_table = false;
  size_t file = 0;
  // About 70 bytes a line in vmlinux.symtab: one allocation in the common case.
  t.syms_.reserve(all.size() / 64);
  t.by_name_.reserve(all.size() / 64);
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
    if (!parse_line(in, num, s))
      throw Fatal(name + ":" + std::to_string(lineno) + ": error: not a `readelf -s --wide` symbol line: '" +
                  std::string(line) + "' [unreadable-symtab]");
    if (s.type == "FILE") {
      t.files_.emplace_back(s.name);
      file = t.files_.size() - 1;
      continue;
    }
    s.file = s.bind == "LOCAL" ? file : 0;
    s.order = t.syms_.size();
    t.by_name_.emplace(s.name, t.syms_.size());
    t.syms_.push_back(std::move(s));
  }
  if (t.syms_.empty())
    throw Fatal(name +
                ": error: no .symtab symbols found; expected the output of `readelf -s --wide` "
                "[unreadable-symtab]");
  return t;
}

std::vector<size_t> ParentSymtab::find_file_blocks(const std::string& source,
                                                   const std::vector<std::string>& locals) const {
  std::vector<size_t> out;
  for (size_t f = 1; f < files_.size(); ++f) {
    if (files_[f] != source) continue;
    bool all = std::all_of(locals.begin(), locals.end(), [&](const std::string& n) {
      auto [lo, hi] = by_name_.equal_range(n);
      return std::any_of(lo, hi, [&](const auto& kv) { return syms_[kv.second].file == f; });
    });
    if (all) out.push_back(f);
  }
  return out;
}

std::optional<uint32_t> ParentSymtab::local_sympos(size_t file, const std::string& name) const {
  auto [lo, hi] = by_name_.equal_range(name);
  std::vector<const ParentSym*> same;
  for (auto it = lo; it != hi; ++it) {
    const ParentSym& s = syms_[it->second];
    if (s.defined && (s.type == "FUNC" || s.type == "OBJECT" || s.type == "NOTYPE" || s.type == "TLS"))
      same.push_back(&s);
  }
  auto key = [&](const ParentSym* s) {
    return address_order_ ? std::pair(s->value, s->order) : std::pair(s->order, s->order);
  };
  std::sort(same.begin(), same.end(), [&](const ParentSym* a, const ParentSym* b) { return key(a) < key(b); });
  for (size_t i = 0; i < same.size(); ++i)
    if (same[i]->file == file && same[i]->bind == "LOCAL") return static_cast<uint32_t>(i + 1);
  return std::nullopt;
}

bool ParentSymtab::defines_global(const std::string& name) const {
  auto [lo, hi] = by_name_.equal_range(name);
  return std::any_of(lo, hi, [&](const auto& kv) {
    const ParentSym& s = syms_[kv.second];
    return s.defined && s.bind != "LOCAL";
  });
}

bool ParentSymtab::imports(const std::string& name) const {
  auto [lo, hi] = by_name_.equal_range(name);
  return lo != hi && std::all_of(lo, hi, [&](const auto& kv) { return !syms_[kv.second].defined; });
}

}  // namespace kp
