#include "harness.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace kp::test {

namespace {

std::string setting(const char* name, const char* built_in) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : built_in;
}

}  // namespace

const Tools& tools() {
  static const Tools t{
      setting("KP_TEST_DIFFER", KP_TEST_DIFFER),
      setting("KP_TEST_CC", KP_TEST_CC),
      setting("KP_TEST_CLANG", KP_TEST_CLANG),
      setting("KP_TEST_READELF", KP_TEST_READELF),
      setting("KP_TEST_OBJCOPY", KP_TEST_OBJCOPY),
      setting("KP_TEST_CASES_DIR", KP_TEST_CASES_DIR),
      setting("KP_TEST_INCLUDE_DIR", KP_TEST_INCLUDE_DIR),
      setting("KP_TEST_WORK_DIR", KP_TEST_WORK_DIR),
  };
  return t;
}

std::vector<std::string> kernel_cflags(Compiler cc) {
  std::vector<std::string> common = {"-O2",
                                     "-pg",
                                     "-mfentry",
                                     "-ffunction-sections",
                                     "-fdata-sections",
                                     "-fno-pic",
                                     "-mcmodel=kernel",
                                     "-mno-red-zone",
                                     "-fno-asynchronous-unwind-tables",
                                     "-fcf-protection=none",
                                     "-fno-strict-aliasing",
                                     "-fno-common",
                                     "-nostdinc",
                                     "-w",
                                     "-I",
                                     tools().include_dir};
  std::vector<std::string> own;
  if (cc == Compiler::Gcc)
    own = {"-mrecord-mcount", "-mnop-mcount", "-mindirect-branch=thunk-extern", "-mfunction-return=thunk-extern",
           "-mindirect-branch-register"};
  else
    own = {"-mretpoline-external-thunk"};
  common.insert(common.begin() + 3, own.begin(), own.end());
  return common;
}

const std::string& compiler_path(Compiler cc) {
  return cc == Compiler::Gcc ? tools().cc : tools().clang;
}

RunResult run(const Command& cmd) {
  RunResult r;
  static int serial = 0;
  std::filesystem::path tmp =
      std::filesystem::path(tools().work_dir) / (".run." + std::to_string(::getpid()) + "." + std::to_string(serial++));
  std::string out_path = cmd.stdout_path.empty() ? tmp.string() + ".out" : cmd.stdout_path;
  std::string err_path = tmp.string() + ".err";
  std::filesystem::create_directories(tools().work_dir);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  for (const std::string& a : cmd.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    bool replaced = std::any_of(cmd.env.begin(), cmd.env.end(), [&](const std::string& v) {
      return entry.substr(0, entry.find('=')) == std::string_view(v).substr(0, v.find('='));
    });
    if (!replaced) envp.push_back(*e);
  }
  for (const std::string& v : cmd.env) envp.push_back(const_cast<char*>(v.c_str()));
  envp.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    r.status = 127;
    r.err = "cannot run " + cmd.argv[0] + ": " + std::strerror(rc);
  } else {
    int ws = 0;
    while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    if (cmd.stdout_path.empty()) r.out = read_file(out_path);
    r.err = read_file(err_path);
  }
  std::error_code ec;
  if (cmd.stdout_path.empty()) std::filesystem::remove(out_path, ec);
  std::filesystem::remove(err_path, ec);
  return r;
}

std::string shell_line(const Command& cmd) {
  std::string line;
  std::vector<std::string> words = cmd.env;
  words.insert(words.end(), cmd.argv.begin(), cmd.argv.end());
  for (const std::string& a : words) {
    if (!line.empty()) line += ' ';
    bool plain = !a.empty() && a.find_first_not_of(
                                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                   "-_./=,+:@%") == std::string::npos;
    if (plain) {
      line += a;
    } else {
      line += '\'';
      for (char c : a) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
      line += '\'';
    }
  }
  if (!cmd.stdout_path.empty()) line += " > " + cmd.stdout_path;
  return line;
}

std::filesystem::path fresh_dir(const std::string& name) {
  std::filesystem::path p = std::filesystem::path(tools().work_dir) / name;
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::filesystem::path& p, const std::string& data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << data;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

}  // namespace kp::test
