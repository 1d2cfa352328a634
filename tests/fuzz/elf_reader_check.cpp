// Loads objects with the same calls as the fuzzer and walks them
// (walk_object.h), built with the project's compiler so the checks run
// even where clang and libFuzzer are not installed.
//
//   elf_reader_check [--must-load|--must-reject] PATH...
//
// A PATH that is a directory stands for the files in it. With --must-load a
// kp::Fatal is a failure (the seed corpus must be readable); without it a
// Fatal is the expected answer for a corrupt input and only a crash or a
// broken promise fails; with --must-reject a file that loads fails (the
// regression inputs, each made to be corrupt). Exits 1 on failure, on an unreadable PATH, or when
// no input was found.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "elf/elf_file.h"
#include "elf/object.h"
#include "support/diag.h"
#include "walk_object.h"

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> expand(const std::vector<std::string>& args) {
  std::vector<fs::path> files;
  for (const std::string& a : args) {
    if (!fs::is_directory(a)) {
      files.emplace_back(a);
      continue;
    }
    std::vector<fs::path> in_dir;
    for (const auto& e : fs::directory_iterator(a))
      if (e.is_regular_file()) in_dir.push_back(e.path());
    std::sort(in_dir.begin(), in_dir.end());
    files.insert(files.end(), in_dir.begin(), in_dir.end());
  }
  return files;
}

// Empty when the file cannot be read; says so on stderr.
std::optional<std::vector<std::byte>> slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    std::cerr << p.string() << ": error: cannot open: " << std::strerror(errno) << '\n';
    return std::nullopt;
  }
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> bytes(chars.size());
  std::memcpy(bytes.data(), chars.data(), chars.size());
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  bool must_load = false;
  bool must_reject = false;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--must-load") == 0)
      must_load = true;
    else if (std::strcmp(argv[i], "--must-reject") == 0)
      must_reject = true;
    else
      args.emplace_back(argv[i]);
  }
  std::vector<fs::path> files = expand(args);
  if (files.empty()) {
    std::cerr << "elf_reader_check: no input files\n";
    return 1;
  }
  int failures = 0;
  for (const fs::path& f : files) {
    std::optional<std::vector<std::byte>> image = slurp(f);
    if (!image) {
      ++failures;
      continue;
    }
    try {
      kp::Object obj = kp::Object::load(kp::elf::ElfFile::from_memory(f.string(), *image));
      uint64_t sum = kp::fuzz::walk_object(obj);
      std::cout << f.string() << ": loaded " << obj.sections().size() << " sections, " << obj.symbols().size()
                << " symbols (checksum " << kp::hex(sum) << ")\n";
      if (must_reject) {
        std::cerr << f.string() << ": error: loaded, but it must be rejected\n";
        ++failures;
      }
    } catch (const kp::Fatal& e) {
      std::cout << e.what() << '\n';
      if (must_load) ++failures;
    }
  }
  return failures == 0 ? 0 : 1;
}
