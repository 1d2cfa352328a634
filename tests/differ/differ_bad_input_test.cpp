// create-diff-object on broken or wrong input: every such run must exit 1
// with a message that names the offending file, and write nothing.
//
// The inputs are made at test time from one small kernel-style object: cut
// short, overwritten header fields (class, machine, type), stripped by
// objcopy, compiled with -m32, linked into an executable; and missing or
// unreadable side files (parent symtab, Module.symvers).
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "harness.h"

namespace kp::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSource = R"(#include <kshim.h>
int answer(int x)
{
	pr_info("answer %d\n", x);
#ifdef PATCHED
	return x + 43;
#else
	return x + 42;
#endif
}
)";

class BadInput : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fresh_dir(std::string("bad-input/") + testing::UnitTest::GetInstance()->current_test_info()->name());
    write_file(dir_ / "answer.c", kSource);
    orig_ = compile("answer.o", {});
    patched_ = compile("patched/answer.o", {"-DPATCHED"});
    symtab_ = dir_ / "parent.symtab";
    RunResult r = exec(Command{{tools().readelf, "-s", "--wide", orig_.string()}, symtab_.string()});
    ASSERT_EQ(r.status, 0) << transcript_ << r.err;
  }

  // With the kernel's flags unless `plain` (for -m32, where -mcmodel=kernel
  // does not exist).
  fs::path compile(const std::string& out, std::vector<std::string> extra, bool plain = false) {
    fs::path obj = dir_ / out;
    fs::create_directories(obj.parent_path());
    Command cmd{{tools().cc}, ""};
    if (plain)
      cmd.argv.insert(cmd.argv.end(), {"-O2", "-nostdinc", "-I", tools().include_dir});
    else
      for (const auto& f : kernel_cflags()) cmd.argv.push_back(f);
    cmd.argv.insert(cmd.argv.end(), extra.begin(), extra.end());
    cmd.argv.insert(cmd.argv.end(), {"-c", (dir_ / "answer.c").string(), "-o", obj.string()});
    RunResult r = exec(cmd);
    EXPECT_EQ(r.status, 0) << transcript_ << r.err;
    return obj;
  }

  RunResult exec(const Command& cmd) {
    transcript_ += "  $ " + shell_line(cmd) + "\n";
    return run(cmd);
  }

  // A copy of the original object with `edit` applied to its bytes.
  fs::path mangled(const std::string& name, const std::function<void(std::string&)>& edit) {
    std::string bytes = read_file(orig_);
    edit(bytes);
    fs::path p = dir_ / name;
    write_file(p, bytes);
    return p;
  }

  struct Paths {
    fs::path orig, patched, symtab, symvers;
  };

  // Runs the differ; checks exit status 1, a message naming `culprit`, and
  // that nothing was written.
  void expect_error(const Paths& in, const fs::path& culprit, const std::string& message,
                    const std::vector<std::string>& env = {}) {
    fs::path out = dir_ / "out" / "output.o";
    fs::create_directories(out.parent_path());
    RunResult r = exec(Command{{tools().differ, in.orig.string(), in.patched.string(), "vmlinux", in.symtab.string(),
                                in.symvers.string(), "patch", out.string()},
                               "",
                               env});
    std::string ctx = "commands:\n" + transcript_ + "stdout:\n" + r.out + "stderr:\n" + r.err;
    EXPECT_EQ(r.status, 1) << ctx;
    EXPECT_NE(r.err.find(culprit.string() + ":"), std::string::npos) << "the message does not name " << culprit << "\n"
                                                                     << ctx;
    EXPECT_NE(r.err.find(message), std::string::npos) << "stderr lacks '" << message << "'\n" << ctx;
    EXPECT_EQ(r.out, "") << ctx;
    EXPECT_TRUE(fs::is_empty(out.parent_path())) << "files left in " << out.parent_path() << "\n" << ctx;
  }

  Paths good() const { return {orig_, patched_, symtab_, "/dev/null"}; }

  fs::path dir_, orig_, patched_, symtab_;
  std::string transcript_;
};

// The baseline the other tests break: this pair is a valid patch.
TEST_F(BadInput, BaselineSucceeds) {
  fs::path out = dir_ / "output.o";
  RunResult r = exec(Command{{tools().differ, orig_.string(), patched_.string(), "vmlinux", symtab_.string(),
                              "/dev/null", "patch", out.string()},
                             ""});
  EXPECT_EQ(r.status, 0) << transcript_ << r.err;
  EXPECT_EQ(r.out, "answer.o: changed function: answer\n");
  EXPECT_TRUE(fs::exists(out));
}

TEST_F(BadInput, TruncatedOriginal) {
  // Section headers sit at the end of a gcc object: half of it has none.
  fs::path bad = mangled("truncated.o", [](std::string& b) { b.resize(b.size() / 2); });
  Paths in = good();
  in.orig = bad;
  expect_error(in, bad, "error:");
}

TEST_F(BadInput, TruncatedInsideTheHeader) {
  fs::path bad = mangled("truncated.o", [](std::string& b) { b.resize(20); });
  Paths in = good();
  in.patched = bad;
  expect_error(in, bad, "error:");
}

TEST_F(BadInput, TruncatedSectionContents) {
  // Keep the headers but cut the bytes before them: sections point past
  // the end of the file.
  fs::path bad = mangled("cut.o", [](std::string& b) {
    uint64_t shoff = 0;
    for (int i = 0; i < 8; ++i) shoff |= static_cast<uint64_t>(static_cast<unsigned char>(b[0x28 + i])) << (8 * i);
    std::string headers = b.substr(shoff);
    b.resize(0x100);
    uint64_t off = b.size();
    for (int i = 0; i < 8; ++i) b[0x28 + i] = static_cast<char>(off >> (8 * i));
    b += headers;
  });
  Paths in = good();
  in.orig = bad;
  expect_error(in, bad, "error:");
}

TEST_F(BadInput, NotElf) {
  fs::path bad = dir_ / "notes.o";
  write_file(bad, "this is not an object file\n");
  Paths in = good();
  in.orig = bad;
  expect_error(in, bad, "not an ELF file");
}

TEST_F(BadInput, EmptyFile) {
  fs::path bad = dir_ / "empty.o";
  write_file(bad, "");
  Paths in = good();
  in.patched = bad;
  expect_error(in, bad, "error:");
}

TEST_F(BadInput, MissingObject) {
  Paths in = good();
  in.orig = dir_ / "no-such.o";
  expect_error(in, in.orig, "cannot open");
}

TEST_F(BadInput, ThirtyTwoBitObject) {
  Command probe{{tools().cc, "-m32", "-c", "-x", "c", "/dev/null", "-o", (dir_ / "probe.o").string()}, ""};
  if (run(probe).status != 0) GTEST_SKIP() << "the compiler cannot build -m32 objects";
  fs::path bad = compile("answer32.o", {"-m32"}, true);
  Paths in = good();
  in.orig = bad;
  expect_error(in, bad, "not an x86-64 object");
}

TEST_F(BadInput, OtherMachine) {
  fs::path bad = mangled("aarch64.o", [](std::string& b) {
    b[18] = static_cast<char>(183);  // e_machine = EM_AARCH64
    b[19] = 0;
  });
  Paths in = good();
  in.patched = bad;
  expect_error(in, bad, "not an x86-64 object");
}

TEST_F(BadInput, ExecutableTypeField) {
  fs::path bad = mangled("exec.o", [](std::string& b) {
    b[16] = 2;  // e_type = ET_EXEC
    b[17] = 0;
  });
  Paths in = good();
  in.orig = bad;
  expect_error(in, bad, "not a relocatable object");
}

TEST_F(BadInput, LinkedExecutable) {
  write_file(dir_ / "tiny.c", "void _start(void) { for (;;) ; }\n");
  fs::path exe = dir_ / "tiny";
  RunResult r =
      exec(Command{{tools().cc, "-nostdlib", "-static", "-O2", "-o", exe.string(), (dir_ / "tiny.c").string()}, ""});
  if (r.status != 0) GTEST_SKIP() << "cannot link a static executable: " << r.err;
  Paths in = good();
  in.orig = exe;
  expect_error(in, exe, "not a relocatable object");
}

TEST_F(BadInput, StrippedObject) {
  fs::path bad = dir_ / "stripped.o";
  RunResult r = exec(Command{{tools().objcopy, "--strip-all", orig_.string(), bad.string()}, ""});
  ASSERT_EQ(r.status, 0) << transcript_ << r.err;
  Paths in = good();
  in.orig = bad;
  expect_error(in, bad, "no symbol table");
}

TEST_F(BadInput, MissingParentSymtab) {
  Paths in = good();
  in.symtab = dir_ / "no-such.symtab";
  expect_error(in, in.symtab, "cannot read the parent symbol table");
}

TEST_F(BadInput, ParentSymtabIsNotReadelfOutput) {
  Paths in = good();
  in.symtab = dir_ / "garbage.symtab";
  write_file(in.symtab, "hello\nworld\n");
  expect_error(in, in.symtab, "[unreadable-symtab]");
}

TEST_F(BadInput, ParentSymtabWithABrokenLine) {
  Paths in = good();
  in.symtab = dir_ / "broken.symtab";
  std::string text = read_file(symtab_);
  write_file(in.symtab, text + "    99: zzzz not a symbol line\n");
  expect_error(in, in.symtab, "not a `readelf -s --wide` symbol line");
}

// Every number is read whole: an address with a stray character, or a size
// that is not a number, is refused rather than read up to the first bad
// character.
TEST_F(BadInput, ParentSymtabWithABadAddress) {
  Paths in = good();
  in.symtab = dir_ / "address.symtab";
  write_file(in.symtab, read_file(symtab_) + "    99: ffffffff8100000g     0 FUNC    LOCAL  DEFAULT    1 bad_addr\n");
  expect_error(in, in.symtab, "not a `readelf -s --wide` symbol line: '    99: ffffffff8100000g");
}

TEST_F(BadInput, ParentSymtabWithABadSize) {
  Paths in = good();
  in.symtab = dir_ / "size.symtab";
  write_file(in.symtab, read_file(symtab_) + "    99: ffffffff81000000   4x2 FUNC    LOCAL  DEFAULT    1 bad_size\n");
  expect_error(in, in.symtab, "[unreadable-symtab]");
}

TEST_F(BadInput, ParentSymtabIsADirectory) {
  Paths in = good();
  in.symtab = dir_;
  expect_error(in, in.symtab, "[unreadable-symtab]");
}

// The parent symtab's index (create-diff-object --index-symtab): the same
// answer as the text; damaged, it is refused and nothing is written.
TEST_F(BadInput, ParentSymtabIndexGivesTheTextsAnswer) {
  fs::path index = dir_ / "parent.symtab.idx";
  RunResult made = exec(Command{{tools().differ, "--index-symtab", symtab_.string(), index.string()}, ""});
  ASSERT_EQ(made.status, 0) << transcript_ << made.err;
  fs::path from_text = dir_ / "text.o", from_index = dir_ / "index.o";
  RunResult t = exec(Command{{tools().differ, orig_.string(), patched_.string(), "vmlinux", symtab_.string(),
                              "/dev/null", "patch", from_text.string()},
                             ""});
  RunResult i = exec(Command{{tools().differ, orig_.string(), patched_.string(), "vmlinux", index.string(), "/dev/null",
                              "patch", from_index.string()},
                             ""});
  EXPECT_EQ(t.status, 0) << transcript_ << t.err;
  EXPECT_EQ(i.status, 0) << transcript_ << i.err;
  EXPECT_EQ(i.out, t.out);
  EXPECT_EQ(i.err, t.err);
  EXPECT_EQ(read_file(from_index), read_file(from_text));
}

TEST_F(BadInput, DamagedParentSymtabIndex) {
  fs::path index = dir_ / "parent.symtab.idx";
  RunResult made = exec(Command{{tools().differ, "--index-symtab", symtab_.string(), index.string()}, ""});
  ASSERT_EQ(made.status, 0) << transcript_ << made.err;
  std::string bytes = read_file(index);
  bytes[bytes.size() / 2] ^= 0x01;
  write_file(index, bytes);
  Paths in = good();
  in.symtab = index;
  expect_error(in, index, "error: corrupt symbol table index: checksum mismatch (damaged or truncated)");
  write_file(index, bytes.substr(0, 40));
  expect_error(in, index, "error: corrupt symbol table index: 40 bytes, shorter than its 64-byte header");
}

TEST_F(BadInput, IndexOfAnIndexOrOfGarbage) {
  fs::path index = dir_ / "parent.symtab.idx", again = dir_ / "again.idx";
  ASSERT_EQ(exec(Command{{tools().differ, "--index-symtab", symtab_.string(), index.string()}, ""}).status, 0);
  RunResult r = exec(Command{{tools().differ, "--index-symtab", index.string(), again.string()}, ""});
  EXPECT_EQ(r.status, 1) << transcript_ << r.err;
  EXPECT_EQ(r.err, index.string() +
                       ": error: already a symbol table index, not `readelf -s --wide` text "
                       "[unreadable-symtab]\n");
  fs::path garbage = dir_ / "garbage.symtab";
  write_file(garbage, "Symbol table '.symtab' contains 1 entries:\n  what is this\n");
  r = exec(Command{{tools().differ, "--index-symtab", garbage.string(), again.string()}, ""});
  EXPECT_EQ(r.status, 1) << transcript_ << r.err;
  EXPECT_NE(r.err.find(garbage.string() + ":2: error: not a `readelf -s --wide` symbol line"), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(again));
  r = exec(Command{{tools().differ, "--index-symtab", symtab_.string()}, ""});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("usage: create-diff-object"), std::string::npos) << r.err;
}

TEST_F(BadInput, MissingSymvers) {
  Paths in = good();
  in.symvers = dir_ / "no-such.symvers";
  expect_error(in, in.symvers, "cannot read Module.symvers");
}

TEST_F(BadInput, SymversWithABrokenLine) {
  Paths in = good();
  in.symvers = dir_ / "broken.symvers";
  write_file(in.symvers, "0x00000000\t_printk\tvmlinux\tEXPORT_SYMBOL\t\n0x12345678\tonly_a_name\n");
  expect_error(in, std::string(in.symvers.string() + ":2"), "error: not a Module.symvers line [unreadable-symvers]");
}

TEST_F(BadInput, SymversWithAnEmptyModule) {
  Paths in = good();
  in.symvers = dir_ / "empty-module.symvers";
  write_file(in.symvers, "0x12345678\tanswer\t\tEXPORT_SYMBOL\n");
  expect_error(in, std::string(in.symvers.string() + ":1"), "not a Module.symvers line");
}

TEST_F(BadInput, SymversIsADirectory) {
  Paths in = good();
  in.symvers = dir_;
  expect_error(in, in.symvers, "is a directory, not Module.symvers");
}

// kpatch's entry-size variables must be positive integers; the message
// names the variable, its value and the section whose entries it sizes.
TEST_F(BadInput, SizeVariableNotANumber) {
  expect_error(good(), "ALT_STRUCT_SIZE=twelve",
               "error: not a positive integer (at most 4096); expected the size in bytes of one .altinstructions entry "
               "[bad-env]",
               {"ALT_STRUCT_SIZE=twelve"});
}

TEST_F(BadInput, SizeVariableZero) {
  expect_error(good(), "ORC_STRUCT_SIZE=0", "expected the size in bytes of one .orc_unwind entry [bad-env]",
               {"ORC_STRUCT_SIZE=0"});
}

TEST_F(BadInput, SizeVariableNegative) {
  expect_error(good(), "BUG_STRUCT_SIZE=-12", "expected the size in bytes of one __bug_table entry [bad-env]",
               {"BUG_STRUCT_SIZE=-12"});
}

TEST_F(BadInput, SizeVariableTrailingText) {
  expect_error(good(), "JUMP_STRUCT_SIZE=16 bytes", "one __jump_table entry [bad-env]", {"JUMP_STRUCT_SIZE=16 bytes"});
}

// OUTPUT.o naming one of the inputs, by the same path, another path or a
// hard link: refused, and the input is left as it was.
class OutputOverInput : public BadInput {
 protected:
  void expect_refused(const fs::path& orig, const fs::path& patched, const fs::path& out, const fs::path& victim) {
    std::string before = read_file(victim);
    RunResult r = exec(Command{{tools().differ, orig.string(), patched.string(), "vmlinux", symtab_.string(),
                                "/dev/null", "patch", out.string()},
                               ""});
    std::string ctx = "commands:\n" + transcript_ + "stdout:\n" + r.out + "stderr:\n" + r.err;
    EXPECT_EQ(r.status, 1) << ctx;
    EXPECT_NE(r.err.find(out.string() + ": error: OUTPUT.o is the same file as the input"), std::string::npos) << ctx;
    EXPECT_NE(r.err.find("[output-is-input]"), std::string::npos) << ctx;
    EXPECT_EQ(r.out, "") << ctx;
    EXPECT_EQ(read_file(victim), before) << "the input was changed\n" << ctx;
    for (const auto& e : fs::directory_iterator(out.parent_path()))
      EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << "left behind: " << e.path() << "\n" << ctx;
  }
};

TEST_F(OutputOverInput, SamePathAsOriginal) {
  expect_refused(orig_, patched_, orig_, orig_);
}

TEST_F(OutputOverInput, SamePathAsPatched) {
  expect_refused(orig_, patched_, patched_, patched_);
}

TEST_F(OutputOverInput, OtherPathToPatched) {
  fs::path other = dir_ / "patched" / ".." / "patched" / "." / "answer.o";
  expect_refused(orig_, patched_, other, patched_);
}

TEST_F(OutputOverInput, HardLinkToOriginal) {
  fs::path link = dir_ / "link.o";
  fs::create_hard_link(orig_, link);
  expect_refused(orig_, patched_, link, orig_);
}

TEST_F(OutputOverInput, SameAsParentSymtab) {
  expect_refused(orig_, patched_, symtab_, symtab_);
}

TEST_F(BadInput, OutputDirectoryMissing) {
  fs::path out = dir_ / "no-such-dir" / "output.o";
  RunResult r = exec(Command{{tools().differ, orig_.string(), patched_.string(), "vmlinux", symtab_.string(),
                              "/dev/null", "patch", out.string()},
                             ""});
  EXPECT_EQ(r.status, 1) << transcript_ << r.err;
  EXPECT_NE(r.err.find(out.string() + ":"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out.parent_path()));
}

}  // namespace
}  // namespace kp::test
