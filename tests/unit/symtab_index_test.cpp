// The parent symbol table's index (diff/symtab_index.h): the same answers as
// the text it was made from, reuse while fresh, and a stale, damaged or
// foreign index never used.
#include "diff/symtab_index.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "parent_symtab_fixture.h"
#include "support/diag.h"
#include "support/file.h"

namespace kp {
namespace {

namespace fs = std::filesystem;

using testing::kSymtab;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "kp-symidx-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

// The queries the differ makes, answered by `t`.
void expect_answers(const ParentSymtab& t) {
  auto a = t.find_file_blocks("a.c", {"show"});
  auto b = t.find_file_blocks("b.c", {"show", "helper"});
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_TRUE(t.find_file_blocks("a.c", {"helper"}).empty());
  EXPECT_EQ(t.local_sympos(b[0], "show"), 1u);  // lower address
  EXPECT_EQ(t.local_sympos(a[0], "show"), 2u);
  EXPECT_EQ(t.local_sympos(b[0], "helper"), 1u);
  EXPECT_FALSE(t.local_sympos(a[0], "helper"));
  EXPECT_TRUE(t.defines_global("exported_fn"));
  EXPECT_FALSE(t.defines_global("show"));
  EXPECT_TRUE(t.imports("imported_fn"));
  EXPECT_FALSE(t.imports("exported_fn"));
  EXPECT_FALSE(t.imports("nowhere"));
  EXPECT_EQ(t.size(), 6u);  // FILE symbols are blocks, not entries
}

std::string fatal_of(const std::string& path) {
  try {
    (void)ParentSymtab::parse_file(path, true);
  } catch (const Fatal& e) {
    return e.what();
  }
  return "no error";
}

TEST(SymtabIndex, AnswersAsTheText) {
  TempDir d;
  write(d.path / "vmlinux.symtab", kSymtab);
  std::string text = (d.path / "vmlinux.symtab").string(), index = text + ".idx";
  ParentSymtab from_text = ParentSymtab::parse_file(text, true);
  expect_answers(from_text);
  write_symtab_index(from_text, *symtab_stamp(text), index);
  EXPECT_TRUE(is_symtab_index(index));
  EXPECT_FALSE(is_symtab_index(text));
  ParentSymtab from_index = ParentSymtab::parse_file(index, true);  // told apart by its magic
  expect_answers(from_index);
  // Module order (table order) is a property of the query, not the file.
  ParentSymtab mod = ParentSymtab::parse_file(index, false);
  EXPECT_EQ(mod.local_sympos(mod.find_file_blocks("a.c", {"show"})[0], "show"), 1u);
}

TEST(SymtabIndex, MadeOnceThenReused) {
  TempDir d;
  std::string text = (d.path / "vmlinux.symtab").string();
  write(text, kSymtab);
  IndexResult first = ensure_symtab_index(text);
  EXPECT_EQ(first.outcome, IndexOutcome::Made);
  EXPECT_EQ(first.path, text + ".idx");
  struct stat before {};
  ASSERT_EQ(::stat(first.path.c_str(), &before), 0);
  IndexResult second = ensure_symtab_index(text);
  EXPECT_EQ(second.outcome, IndexOutcome::Reused);
  EXPECT_EQ(second.path, first.path);
  struct stat after {};
  ASSERT_EQ(::stat(second.path.c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);  // not rewritten
  expect_answers(ParentSymtab::parse_file(second.path, true));
}

TEST(SymtabIndex, StaleIndexIsRemade) {
  TempDir d;
  std::string text = (d.path / "vmlinux.symtab").string();
  write(text, kSymtab);
  ASSERT_EQ(ensure_symtab_index(text).outcome, IndexOutcome::Made);
  // Another table under the same name: `helper` becomes a global.
  std::string other = kSymtab;
  other.replace(other.find("LOCAL  DEFAULT    1 helper"), 5, "GLOBAL");
  write(text, other);
  IndexResult r = ensure_symtab_index(text);
  EXPECT_EQ(r.outcome, IndexOutcome::Remade);
  EXPECT_NE(r.why.find("made from another " + text), std::string::npos) << r.why;
  EXPECT_TRUE(ParentSymtab::parse_file(r.path, true).defines_global("helper"));
  EXPECT_EQ(ensure_symtab_index(text).outcome, IndexOutcome::Reused);
}

TEST(SymtabIndex, DamagedIndexIsRefusedAndRemade) {
  TempDir d;
  std::string text = (d.path / "vmlinux.symtab").string();
  write(text, kSymtab);
  std::string index = ensure_symtab_index(text).path;
  std::string bytes = *read_file(index);
  std::string damaged = bytes;
  damaged[damaged.size() - 3] ^= 0x20;  // a letter of a name
  write(index, damaged);
  EXPECT_EQ(fatal_of(index), index +
                                 ": error: corrupt symbol table index: checksum mismatch (damaged or truncated); "
                                 "remove it (kpatch-build remakes it from the text) [corrupt-symtab-index]");
  IndexResult r = ensure_symtab_index(text);
  EXPECT_EQ(r.outcome, IndexOutcome::Remade);
  EXPECT_NE(r.why.find("checksum mismatch"), std::string::npos) << r.why;
  EXPECT_EQ(*read_file(index), bytes);

  write(index, bytes.substr(0, bytes.size() - 1));
  EXPECT_NE(fatal_of(index).find("the header describes " + std::to_string(bytes.size()) + " bytes, the file has " +
                                 std::to_string(bytes.size() - 1)),
            std::string::npos)
      << fatal_of(index);
  write(index, bytes.substr(0, 20));
  EXPECT_NE(fatal_of(index).find("20 bytes, shorter than its 64-byte header"), std::string::npos) << fatal_of(index);
  std::string other_version = bytes;
  other_version[8] = 9;
  write(index, other_version);
  EXPECT_NE(fatal_of(index).find("version 9, expected 1"), std::string::npos) << fatal_of(index);
  IndexResult again = ensure_symtab_index(text);
  EXPECT_EQ(again.outcome, IndexOutcome::Remade);
  EXPECT_EQ(again.why, "not an index of this version");
}

TEST(SymtabIndex, UnwritableIndexFallsBackToTheText) {
  TempDir d;
  std::string text = (d.path / "vmlinux.symtab").string();
  write(text, kSymtab);
  // A directory where the index should go: nothing can be renamed over it
  // (a read-only directory would not stop root).
  fs::create_directory(text + ".idx");
  fs::create_directory(text + ".idx/x");
  IndexResult r = ensure_symtab_index(text);
  EXPECT_EQ(r.outcome, IndexOutcome::Unwritable);
  EXPECT_EQ(r.path, text);
  EXPECT_NE(r.why.find("cannot rename into place " + text + ".idx"), std::string::npos) << r.why;
}

TEST(SymtabIndex, UnreadableTextIsAnError) {
  TempDir d;
  EXPECT_THROW(ensure_symtab_index((d.path / "missing.symtab").string()), Fatal);
}

}  // namespace
}  // namespace kp
