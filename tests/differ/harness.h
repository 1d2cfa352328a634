// Shared plumbing of the differ tests: where the tools are, how a test runs
// a command, and how it compiles a source file the way the kernel would.
//
// Everything the tests need from outside comes from compile definitions set
// by tests/differ/CMakeLists.txt, each overridable by the environment
// variable of the same name (KP_TEST_CC=gcc-13 ctest -L unit):
//
//   KP_TEST_DIFFER     create-diff-object under test
//   KP_TEST_CC         the C compiler (gcc; the flags below are gcc's)
//   KP_TEST_CLANG      clang, for the cases that also run compiled by it
//                      (empty: those runs are skipped)
//   KP_TEST_READELF    readelf, for the parent symbol table
//   KP_TEST_OBJCOPY    objcopy, to strip objects in the bad-input tests
//   KP_TEST_CASES_DIR  tests/differ/cases
//   KP_TEST_INCLUDE_DIR tests/differ/include (kshim.h)
//   KP_TEST_WORK_DIR   scratch space; each test owns one subdirectory
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kp::test {

struct Tools {
  std::string differ;
  std::string cc;
  std::string clang;
  std::string readelf;
  std::string objcopy;
  std::string cases_dir;
  std::string include_dir;
  std::string work_dir;
};

const Tools& tools();

// The flags of a Linux 6.1 x86-64 build that shape what the differ sees:
// ftrace call sites recorded in __mcount_loc (-pg -mfentry -mrecord-mcount,
// NOPed as objtool would: -mnop-mcount), one section per function and data
// object, the kernel code model, retpoline and return thunks. Warnings are
// off: the cases are built to provoke the compiler, not to please it.
//
// With clang, the flags of a clang build of the same kernel (clang 14 has
// no -mrecord-mcount, -mnop-mcount or -mfunction-return: the __fentry__
// call stays a call, as before objtool rewrites it).
enum class Compiler { Gcc, Clang };
std::vector<std::string> kernel_cflags(Compiler cc = Compiler::Gcc);
const std::string& compiler_path(Compiler cc);

struct Command {
  std::vector<std::string> argv;
  std::string stdout_path;            // empty: captured into RunResult::out
  std::vector<std::string> env = {};  // NAME=VALUE, replacing NAME in the environment
};

struct RunResult {
  int status = -1;  // exit status, or 128 + signal number
  std::string out;
  std::string err;
};

// Runs a command without a shell; stdout and stderr are captured.
RunResult run(const Command& cmd);
// The command as a line a developer can paste into a shell.
std::string shell_line(const Command& cmd);

// A fresh, empty directory KP_TEST_WORK_DIR/<name>.
std::filesystem::path fresh_dir(const std::string& name);
std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, const std::string& data);

}  // namespace kp::test
