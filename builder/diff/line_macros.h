// Tolerating __LINE__ shifts. See line_macros.cpp.
#pragma once

#include <cstdint>
#include <string_view>

#include "elf/object.h"

namespace kp {

// A code range and its bytes with relocated fields zeroed.
struct Range {
  const Section* sec;
  uint64_t begin;
  uint64_t size;
  std::span<const std::byte> masked;
};

// True if the two code ranges have the same instructions except for
// immediates loaded into registers right before a call to a function that
// takes a line number (might_sleep, WARN, printk, ...).
bool only_line_numbers_differ(const Range& orig, const Range& patched);

// True if two string literals differ only in the line numbers of
// "FILE.c:LINE" places, as __FILE__ ":" __stringify(__LINE__) writes them
// (the fortified memcpy's warning): "at arch/x86/kvm/x86.c:8493" and
// "...:8494".
bool only_file_lines_differ(std::string_view orig, std::string_view patched);

}  // namespace kp
