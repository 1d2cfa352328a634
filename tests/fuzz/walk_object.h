// Touches every part of a loaded kp::Object the way the differ's passes do,
// and checks the promises the loader makes to them.
//
// Object::load() either throws kp::Fatal or hands back a model the rest of
// the builder trusts without further checks: section data spans that can be
// read in full, symbols that lie inside their section, relocations sorted by
// offset that point at real symbols, and pointers that stay inside the
// object's own vectors. The fuzzer (elf_reader_fuzz.cpp) and the seed checker
// (elf_reader_check.cpp) both run this walk, so a span the loader got wrong
// shows up as a sanitizer report and a broken promise as an abort naming it.
//
// Checked reads (read_le, string_in) may throw kp::Fatal on a well-formed
// object when asked for an offset past the end; the walk asks for such
// offsets on purpose and swallows only that.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "elf/object.h"
#include "support/diag.h"

namespace kp::fuzz {

[[noreturn]] inline void broken_promise(const Object& obj, const std::string& what) {
  std::fprintf(stderr, "%s: Object::load() broke a promise: %s\n", obj.path().c_str(), what.c_str());
  std::abort();
}

template <typename T>
bool points_into(const T* p, const std::vector<T>& v) {
  return p == nullptr || (!v.empty() && p >= v.data() && p < v.data() + v.size());
}

// Returns a checksum of everything read so the compiler keeps the reads.
inline uint64_t walk_object(Object& obj) {
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  uint64_t sum = 0;
  auto tolerate = [&](auto&& read) {
    try {
      sum += read();
    } catch (const Fatal&) {
      // An out-of-range read of a valid model: the checked view did its job.
    }
  };
  const auto& sections = obj.sections();
  const auto& symbols = obj.symbols();

  for (const Section& s : sections) {
    if (!points_into(s.rela, sections) || !points_into(s.base, sections) || !points_into(s.group, sections) ||
        !points_into(s.secsym, symbols) || !points_into(s.sym, symbols))
      broken_promise(obj, "a section links outside the object");
    sum += s.name.size() + s.index;
    if (s.rela != nullptr) sum += s.rela->name.size();
    if (s.base != nullptr) sum += s.base->name.size();
    if (s.group != nullptr) sum += s.group->name.size();
    if (s.secsym != nullptr) sum += s.secsym->name.size();
    if (s.sym != nullptr) sum += s.sym->name.size();
    // Section 0 has no data; its sh_size may hold the section count of an
    // object with more than 0xff00 sections, and every pass skips it.
    if (s.index != 0 && !s.is_nobits() && s.data.size() != s.size())
      broken_promise(obj, "section data does not match sh_size");

    // Every byte, then checked reads around the edges and past them.
    for (std::byte b : s.data) sum += static_cast<uint8_t>(b);
    const uint64_t size = s.data.size();
    for (uint64_t off : {uint64_t{0}, uint64_t{1}, size / 2, size - 8, size - 4, size - 1, size, size + 1, kMax - 3})
      for (unsigned width : {1u, 2u, 4u, 8u}) tolerate([&] { return read_le(obj, s, off, width); });
    for (uint64_t off : {uint64_t{0}, uint64_t{1}, size / 2, size - 1, size, kMax})
      tolerate([&] { return string_in(obj, s, off).size(); });

    // Relocations: sorted, aimed at real symbols, and found again by offset.
    for (size_t i = 0; i < s.relocs.size(); ++i) {
      const Reloc& r = s.relocs[i];
      if (r.sym == nullptr || !points_into(r.sym, symbols)) broken_promise(obj, "a relocation has no symbol");
      if (i > 0 && s.relocs[i - 1].offset > r.offset) broken_promise(obj, "relocations are not sorted by offset");
      sum += r.offset + r.type + static_cast<uint64_t>(r.addend) + r.sym->name.size();
      if (r.sym->sec != nullptr) sum += r.sym->sec->name.size() + r.sym->sec->data.size();
      tolerate([&] { return read_le(obj, s, r.offset, 4); });
      if (r.offset != kMax) {
        const Reloc* at = s.reloc_at(r.offset);
        if (at == nullptr || at->offset != r.offset) broken_promise(obj, "reloc_at() misses a relocation");
      }
    }
    sum += s.relocs_in(0, s.size()).size() + s.relocs_in(size / 2, kMax).size() + s.relocs_in(kMax, 0).size();
  }

  for (const Symbol& sym : symbols) {
    if (!points_into(sym.sec, sections)) broken_promise(obj, "a symbol's section is outside the object");
    sum += sym.name.size() + sym.index + sym.type() + sym.bind() + sym.is_undef();
    if (sym.sec == nullptr) continue;
    const Section& sec = *sym.sec;
    sum += sec.name.size();
    // The differ slices [value, value + size) out of the section's data
    // without checking; the loader promised it fits.
    if (!sym.is_section() && !sec.is_nobits() &&
        (sym.value() > sec.data.size() || sym.size() > sec.data.size() - sym.value()))
      broken_promise(obj, "symbol " + std::to_string(sym.index) + " '" + sym.name + "' [" + hex(sym.value()) + ", +" +
                              hex(sym.size()) + ") extends past the end of " + sec.name + " (size " +
                              hex(sec.data.size()) + ")");
    tolerate([&] { return read_le(obj, sec, sym.value(), 1); });
  }

  if (const Section* text = obj.find_section(".text")) sum += text->index;
  if (const Symbol* main = obj.find_symbol("main")) sum += main->index;
  sum += obj.source_name().size();
  return sum;
}

}  // namespace kp::fuzz
