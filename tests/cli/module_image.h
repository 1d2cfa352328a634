// Patch modules and kernel notes for the manager's tests, built in memory:
// the manager reads only the ELF header, the section headers and .modinfo,
// so a module is an ELF64 x86-64 ET_REL image with three sections (null,
// .modinfo, .shstrtab) and nothing else.
#pragma once

#include <elf.h>

#include <cstring>
#include <string>
#include <vector>

namespace kpatch::testing {

inline constexpr const char* kRelease = "6.1.0-56-cloud-amd64";
inline constexpr const char* kVermagicTail = " SMP preempt mod_unload modversions ";

// The bytes of a relocatable object whose .modinfo holds `fields`
// ("key=value"), each NUL-terminated as modpost emits them.
inline std::string elf_with_modinfo(const std::vector<std::string>& fields, uint16_t machine = EM_X86_64,
                                    uint16_t type = ET_REL) {
  std::string modinfo;
  for (const auto& f : fields) modinfo += f + '\0';
  const std::string shstrtab("\0.modinfo\0.shstrtab\0", 20);

  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = type;
  eh.e_machine = machine;
  eh.e_version = EV_CURRENT;
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_shentsize = sizeof(Elf64_Shdr);
  eh.e_shnum = 3;
  eh.e_shstrndx = 2;

  std::string img(sizeof eh, '\0');
  uint64_t modinfo_off = img.size();
  img += modinfo;
  uint64_t shstr_off = img.size();
  img += shstrtab;
  img.resize((img.size() + 7) & ~size_t{7}, '\0');
  eh.e_shoff = img.size();
  std::memcpy(img.data(), &eh, sizeof eh);

  Elf64_Shdr sh[3]{};
  sh[1].sh_name = 1;  // ".modinfo"
  sh[1].sh_type = SHT_PROGBITS;
  sh[1].sh_flags = SHF_ALLOC;
  sh[1].sh_offset = modinfo_off;
  sh[1].sh_size = modinfo.size();
  sh[1].sh_addralign = 1;
  sh[2].sh_name = 10;  // ".shstrtab"
  sh[2].sh_type = SHT_STRTAB;
  sh[2].sh_offset = shstr_off;
  sh[2].sh_size = shstrtab.size();
  sh[2].sh_addralign = 1;
  img.append(reinterpret_cast<const char*>(sh), sizeof sh);
  return img;
}

// The metadata kpatch-build puts in a patch module (builder/pipeline/module.cpp).
struct Patch {
  Patch(std::string name, std::string id, unsigned version = 1)
      : name(std::move(name)), id(std::move(id)), version(version) {}
  Patch with(std::string Patch::*field, std::string value) const {
    Patch p = *this;
    p.*field = std::move(value);
    return p;
  }

  std::string name;
  std::string id;
  unsigned version = 1;
  std::string release = kRelease;
  std::string build_id;
  std::string cves;
  std::string functions;
  std::string summary;
  std::string replace = "1";
  std::string srcversion;  // modpost's; none when empty
  bool livepatch = true;

  std::vector<std::string> fields() const {
    std::vector<std::string> f;
    if (livepatch) f.push_back("livepatch=Y");
    f.push_back("kpatch_id=" + id);
    f.push_back("kpatch_version=" + std::to_string(version));
    f.push_back("kpatch_summary=" + summary);
    f.push_back("kpatch_cves=" + cves);
    f.push_back("kpatch_kernel=" + release);
    f.push_back("kpatch_build_id=" + build_id);
    f.push_back("kpatch_replace=" + replace);
    f.push_back("kpatch_functions=" + functions);
    f.push_back("kpatch_built=2025-01-02T03:04:05Z");
    f.push_back("license=GPL");
    f.push_back("depends=");
    f.push_back("retpoline=Y");
    f.push_back("name=" + name);
    if (!srcversion.empty()) f.push_back("srcversion=" + srcversion);
    f.push_back("vermagic=" + release + kVermagicTail);
    return f;
  }
  std::string image() const { return elf_with_modinfo(fields()); }
};

// /sys/kernel/notes: the kernel's ELF notes back to back. A Xen-style note
// first, so the reader has to step over one, then the GNU build ID.
inline std::string kernel_notes(const std::vector<unsigned char>& build_id) {
  auto note = [](const std::string& name, uint32_t type, const std::string& desc) {
    std::string n;
    auto u32 = [&](uint32_t v) { n.append(reinterpret_cast<const char*>(&v), 4); };
    u32(static_cast<uint32_t>(name.size() + 1));
    u32(static_cast<uint32_t>(desc.size()));
    u32(type);
    n += name + '\0';
    n.resize((n.size() + 3) & ~size_t{3}, '\0');
    n += desc;
    n.resize((n.size() + 3) & ~size_t{3}, '\0');
    return n;
  };
  return note("Xen", 6, std::string("linux\0", 6)) +
         note("GNU", NT_GNU_BUILD_ID, std::string(build_id.begin(), build_id.end()));
}

}  // namespace kpatch::testing
