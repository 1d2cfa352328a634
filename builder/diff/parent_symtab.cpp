#include "diff/parent_symtab.h"
#include "support/file.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "support/diag.h"

namespace kp {

namespace {

bool parse_line(const std::string& line, ParentSym& out) {
  // "   123: ffffffff81000000    42 FUNC    LOCAL  DEFAULT    1 name"
  std::istringstream in(line);
  std::string num, value, size, type, bind, vis, ndx;
  if (!(in >> num >> value >> size >> type >> bind >> vis >> ndx)) return false;
  if (num.empty() || num.back() != ':') return false;
  std::string name;
  std::getline(in >> std::ws, name);
  // readelf appends "@VERSION" for versioned symbols and may prefix bracketed
  // visibility notes; neither occurs in kernel symtabs, keep the raw name.
  try {
    out.value = std::stoull(value, nullptr, 16);
    out.size = size.starts_with("0x") ? std::stoull(size, nullptr, 16) : std::stoull(size);
  } catch (const std::exception&) {
    return false;
  }
  out.name = name;
  out.type = type;
  out.bind = bind;
  out.defined = ndx != "UND";
  return true;
}

}  // namespace

ParentSymtab ParentSymtab::parse_file(const std::string& path, bool address_order) {
  auto text = read_file(path);
  if (!text) throw Fatal(path + ": error: cannot read the parent symbol table [unreadable-symtab]");
  return parse(path, *text, address_order);
}

ParentSymtab ParentSymtab::parse(const std::string& name, const std::string& text, bool address_order) {
  ParentSymtab t;
  t.path_ = name;
  t.address_order_ = address_order;
  t.files_.emplace_back();
  std::istringstream in(text);
  std::string line;
  size_t lineno = 0;
  bool in_table = false;
  size_t file = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.starts_with("Symbol table")) {
      in_table = line.find(".symtab") != std::string::npos;
      continue;
    }
    if (!in_table || line.find("Num:") != std::string::npos || line.find_first_not_of(' ') == std::string::npos)
      continue;
    ParentSym s;
    if (!parse_line(line, s))
      throw Fatal(name + ":" + std::to_string(lineno) + ": error: not a `readelf -s --wide` symbol line: '" + line +
                  "' [unreadable-symtab]");
    if (s.type == "FILE") {
      t.files_.push_back(s.name);
      file = t.files_.size() - 1;
      continue;
    }
    s.file = s.bind == "LOCAL" ? file : 0;
    s.order = t.syms_.size();
    t.by_name_.emplace(s.name, t.syms_.size());
    t.syms_.push_back(std::move(s));
  }
  if (t.syms_.empty())
    throw Fatal(name + ": error: no .symtab symbols found; expected the output of `readelf -s --wide` "
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
  auto key = [&](const ParentSym* s) { return address_order_ ? std::pair(s->value, s->order) : std::pair(s->order, s->order); };
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
