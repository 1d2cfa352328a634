// Module.symvers: which object exports which symbol. A reference to an
// exported symbol links normally; anything else needs a klp relocation.
#pragma once

#include <string>
#include <unordered_map>

namespace kp {

class Symvers {
 public:
  // "/dev/null" or an empty file gives an empty table. Throws kp::Fatal
  // naming the file and line for malformed input.
  static Symvers parse_file(const std::string& path);
  static Symvers parse(const std::string& name, const std::string& text);
  // The exporting object ("vmlinux" or a module name as the kernel knows it,
  // md_mod for drivers/md/md-mod), or "" if not exported.
  std::string exporter(const std::string& symbol) const;
  size_t size() const { return exports_.size(); }

 private:
  std::unordered_map<std::string, std::string> exports_;
};

}  // namespace kp
