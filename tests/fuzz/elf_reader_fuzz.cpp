// libFuzzer target for the ELF reader: arbitrary bytes go through
// ElfFile::from_memory() and Object::load(), and whatever loads is walked
// end to end (walk_object.h).
//
// A corrupt object must end in kp::Fatal and nothing else: any other
// exception, a crash, a sanitizer report, a broken promise of the model, or
// libelf writing into the const input (libFuzzer checks) is a bug.
//
// Built with clang++ -fsanitize=fuzzer,address,undefined from the reader's
// sources by tests/fuzz/CMakeLists.txt; see the README beside it.
#include <cstddef>
#include <cstdint>
#include <span>

#include "elf/elf_file.h"
#include "elf/object.h"
#include "support/diag.h"
#include "walk_object.h"

// Keeps the walk's reads from being optimized away.
volatile uint64_t kp_fuzz_checksum;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto image = std::as_bytes(std::span(data, size));
    kp::Object obj = kp::Object::load(kp::elf::ElfFile::from_memory("fuzz.o", image));
    kp_fuzz_checksum = kp::fuzz::walk_object(obj);
  } catch (const kp::Fatal&) {
    // A corrupt object, reported as such: the expected outcome.
  }
  return 0;
}
