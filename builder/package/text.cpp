#include "package/text.h"

namespace kp::pkg {

namespace {

// Display width in code points (UTF-8 continuation bytes do not count).
size_t width_of(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

}  // namespace

std::vector<std::string> fold(const std::string& text, size_t width) {
  // Units: a word and the '%'/'.' words glued to it.
  std::vector<std::string> units;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(pos, end - pos);
    pos = end + 1;
    if (word.empty()) continue;
    bool glued = (word[0] == '%' || word[0] == '.') && !units.empty();
    if (glued)
      units.back() += " " + word;
    else
      units.push_back(word);
  }
  std::vector<std::string> lines;
  for (const auto& u : units) {
    if (!lines.empty() && width_of(lines.back()) + 1 + width_of(u) <= width)
      lines.back() += " " + u;
    else
      lines.push_back(u);
  }
  return lines;
}

std::string rpm_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += '%';
    out += c;
  }
  return out;
}

std::string synopsis(const Patch& p) {
  return "Live patch " + p.id + " version " + std::to_string(p.version) + " for Linux " + p.release;
}

std::string changelog_text(const Patch& p) {
  return "Live patch " + p.id + " version " + std::to_string(p.version) + " for " + p.release + ".";
}

std::vector<std::string> description_paragraphs(const Patch& p) {
  // The summary follows a fixed word, so that neither format's first line
  // of the description is user text.
  std::string module = "Livepatch module " + p.module + " (patch " + p.id + ", version " + std::to_string(p.version) +
                       ") for the kernel " + p.release + (p.build_id.empty() ? "" : " (build ID " + p.build_id + ")") +
                       ", built by kpatch-build. It is loaded live when that kernel runs, and at every boot of it.";
  return {"Fix: " + p.summary, module,
          "CVEs fixed: " + (p.cves.empty() ? std::string("none listed") : join(p.cves, " "))};
}

std::string deb_description(const std::string& syn, const std::vector<std::string>& paragraphs) {
  std::string out = "Description: " + syn + "\n";
  for (size_t i = 0; i < paragraphs.size(); ++i) {
    if (i) out += " .\n";
    for (const auto& line : fold(paragraphs[i], 72)) out += " " + line + "\n";
  }
  return out;
}

std::string description_text(const std::vector<std::string>& paragraphs) {
  std::string out;
  for (size_t i = 0; i < paragraphs.size(); ++i) {
    if (i) out += "\n";
    for (const auto& line : fold(paragraphs[i], 72)) out += line + "\n";
  }
  return out;
}

std::string rpm_description(const std::vector<std::string>& paragraphs) {
  return rpm_escape(description_text(paragraphs));
}

}  // namespace kp::pkg
