// The differ's pass table (builder/diff/driver.cpp) against the table of
// docs/create-diff-object.md: the same passes, in the same order, for the
// same reasons. The order used to be written three times and had drifted.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "diff/context.h"

namespace {

struct Row {
  std::string name;
  std::string why;
};

// The rows `| \`name\` | why |` of the first table after "## Passes".
std::vector<Row> documented_passes(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::vector<Row> rows;
  std::string line;
  bool in_section = false;
  bool in_table = false;
  while (std::getline(in, line)) {
    if (line.starts_with("## ")) {
      if (in_section) break;
      in_section = line == "## Passes";
      continue;
    }
    if (!in_section) continue;
    if (!line.starts_with("|")) {
      if (in_table) break;
      continue;
    }
    in_table = true;
    if (!line.starts_with("| `")) continue;  // header and rule
    size_t name_end = line.find("` |", 3);
    if (name_end == std::string::npos || !line.ends_with(" |")) {
      ADD_FAILURE() << "malformed pass row: " << line;
      continue;
    }
    rows.push_back({line.substr(3, name_end - 3), line.substr(name_end + 4, line.size() - name_end - 6)});
  }
  return rows;
}

TEST(DifferPasses, DocsListTheDriversPassesInOrder) {
  std::vector<Row> docs = documented_passes(KP_TEST_DOCS_DIR "/create-diff-object.md");
  auto passes = kp::differ_passes();
  ASSERT_EQ(docs.size(), passes.size()) << "docs/create-diff-object.md lists " << docs.size()
                                        << " passes, the driver runs " << passes.size();
  for (size_t i = 0; i < docs.size(); ++i) {
    EXPECT_EQ(docs[i].name, passes[i].name) << "pass " << i;
    EXPECT_EQ(docs[i].why, passes[i].why) << "pass " << passes[i].name;
  }
}

TEST(DifferPasses, NamesAreUniqueAndEveryPassRuns) {
  auto passes = kp::differ_passes();
  for (size_t i = 0; i < passes.size(); ++i) {
    EXPECT_NE(passes[i].run, nullptr) << passes[i].name;
    EXPECT_FALSE(passes[i].why.empty()) << passes[i].name;
    for (size_t j = i + 1; j < passes.size(); ++j) EXPECT_NE(passes[i].name, passes[j].name);
  }
}

}  // namespace
