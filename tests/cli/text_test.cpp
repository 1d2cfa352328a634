// Control characters from a module's .modinfo, from /proc or from the
// command line reach the terminal escaped, and JSON stays valid.
#include "common/text.h"

#include <cstdint>
#include <cstring>

#include "cli_fixture.h"
#include "common/build_id.h"
#include "common/names.h"

namespace kpatch::testing {
namespace {

using kp::base_module_name;
using kp::c_string;
using kp::gnu_build_id;
using kp::kbuild_module_name;
using kp::patch_module_name;
using kp::valid_utf8;

TEST(Printable, KeepsTextAndUtf8) {
  EXPECT_EQ(printable("kpatch_fix 6.1.0-56-cloud-amd64 \"x\" 'y' ~"), "kpatch_fix 6.1.0-56-cloud-amd64 \"x\" 'y' ~");
  EXPECT_EQ(printable("Fehler behoben: caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\xa7"),
            "Fehler behoben: caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\xa7");
}

TEST(Printable, EscapesControlsDelC1AndBrokenUtf8) {
  EXPECT_EQ(printable("\x1b]2;owned\a\x1b[2K"), "\\x1b]2;owned\\x07\\x1b[2K");
  EXPECT_EQ(printable("a\tb\nc\rd\x7f"), "a\\x09b\\x0ac\\x0dd\\x7f");
  EXPECT_EQ(printable(std::string("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(printable("\xc2\x9b"
                      "2J"),
            "\\xc2\\x9b2J");  // C1 CSI as UTF-8
  EXPECT_EQ(printable("\x9b"
                      "2J"),
            "\\x9b2J");  // C1 CSI as one byte
  EXPECT_EQ(printable("\xc0\xaf \xed\xa0\x80 \xe2\x9c"),
            "\\xc0\\xaf \\xed\\xa0\\x80 \\xe2\\x9c");  // overlong, surrogate, cut
  EXPECT_EQ(printable("C:\\x1b"), "C:\\\\x1b");        // a backslash is doubled: no text looks escaped
}

TEST(JsonString, Escapes) {
  EXPECT_EQ(json_string("plain"), "\"plain\"");
  EXPECT_EQ(json_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json_string("line\nnext\ttab\r\x01"), "\"line\\nnext\\u0009tab\\u000d\\u0001\"");
  EXPECT_EQ(json_string("\x1b[2J\x7f\xc2\x9b"), "\"\\u001b[2J\\u007f\\u009b\"");
  EXPECT_EQ(json_string("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(json_string("bad \xff\xc3 end"), "\"bad \\ufffd\\ufffd end\"");  // JSON is UTF-8
}

class EscapeTest : public CliTest {
 protected:
  Patch evil = Patch("kpatch_fix", "fix\x1b[2J")
                   .with(&Patch::summary, "\x1b]2;owned\afixed")
                   .with(&Patch::cves, "CVE-1\x1b[1A,CVE-2")
                   .with(&Patch::functions, "vmlinux:f\n");
};

TEST_F(EscapeTest, InfoText) {
  install(evil);
  EXPECT_EQ(kpatch().info("kpatch_fix"), 0);
  std::string o = out.str();
  EXPECT_EQ(o.find('\x1b'), std::string::npos) << o;
  EXPECT_NE(o.find("id:        fix\\x1b[2J\n"), std::string::npos) << o;
  EXPECT_NE(o.find("summary:   \\x1b]2;owned\\x07fixed\n"), std::string::npos) << o;
  EXPECT_NE(o.find("cves:      CVE-1\\x1b[1A,CVE-2\n"), std::string::npos) << o;
  EXPECT_NE(o.find("functions: vmlinux:f\\x0a\n"), std::string::npos) << o;
}

TEST_F(EscapeTest, InfoJson) {
  install(evil);
  opt.json = true;
  EXPECT_EQ(kpatch().info("kpatch_fix"), 0);
  EXPECT_EQ(out.str(),
            "{\"name\": \"kpatch_fix\", \"file\": \"/var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_fix.ko\", \"id\": "
            "\"fix\\u001b[2J\", \"version\": 1, \"summary\": \"\\u001b]2;owned\\u0007fixed\", \"cves\": "
            "[\"CVE-1\\u001b[1A\", \"CVE-2\"], \"kernel\": \"6.1.0-56-cloud-amd64\", \"build_id\": \"\", \"replace\": "
            "true, \"functions\": [\"vmlinux:f\\n\"]}\n");
}

TEST_F(EscapeTest, StatusText) {
  install(evil);
  add_loaded("kpatch_fix");
  EXPECT_EQ(kpatch().status(), 0);
  EXPECT_EQ(out.str(),
            "Running kernel:    6.1.0-56-cloud-amd64\n"
            "Patches active:    1\n"
            "    kpatch_fix (fix\\x1b[2J.1)\n"
            "CVEs fixed live:   CVE-1\\x1b[1A CVE-2\n"
            "Effective version: 6.1.0-56-cloud-amd64+fix\\x1b[2J.1\n");
}

TEST_F(EscapeTest, ListText) {
  install(evil.with(&Patch::release, "6.1.0-56\x1b[2J"));
  EXPECT_EQ(kpatch().list(), 0);
  EXPECT_EQ(out.str(), "Loaded patch modules:\n\nInstalled patch modules:\nkpatch_fix (6.1.0-56\\x1b[2J)\n");
}

TEST_F(EscapeTest, ErrorsNamingAnArgument) {
  EXPECT_EQ(kpatch().load("/tmp/\x1b[2Jx.ko"), 1);
  EXPECT_EQ(kpatch().unload("x\x1b]2;owned\a"), 1);
  EXPECT_EQ(err.str(),
            "kpatch: error: /tmp/\\x1b[2Jx.ko: no such file\n"
            "kpatch: error: invalid module name 'x\\x1b]2;owned\\x07' (a module name is 1 to 55 of a-z, 0-9 and _)\n");
}

TEST_F(EscapeTest, ErrorsNamingModinfoValues) {
  put("/tmp/a.ko", evil.with(&Patch::name, "kpatch\x1b[2J"));
  put("/tmp/b.ko", evil.with(&Patch::release, "6.1.0\x1b[2J"));
  EXPECT_EQ(kpatch().install("/tmp/a.ko"), 1);
  EXPECT_EQ(kpatch().load("/tmp/b.ko"), 1);
  EXPECT_EQ(err.str(),
            "kpatch: error: /tmp/a.ko: invalid module name 'kpatch\\x1b[2J' in .modinfo (a module name is 1 to 55 of "
            "a-z, 0-9 and _)\n"
            "kpatch: error: /tmp/b.ko: built for kernel 6.1.0\\x1b[2J, running 6.1.0-56-cloud-amd64 (--force to load "
            "anyway)\n");
}

TEST_F(EscapeTest, ForcedLoadWarningAndKernelLog) {
  put("/tmp/\n.ko", evil.with(&Patch::release, "6.1.0\x1b[2J"));
  opt.force = true;
  EXPECT_EQ(kpatch().load("/tmp/\n.ko"), 0);
  EXPECT_EQ(err.str(),
            "kpatch: warning: /tmp/\\x0a.ko: built for kernel 6.1.0\\x1b[2J, running 6.1.0-56-cloud-amd64; loading "
            "anyway (--force)\n");
  EXPECT_EQ(sys.logs, (Calls{"forced load of /tmp/\\x0a.ko: built for kernel 6.1.0\\x1b[2J, running "
                             "6.1.0-56-cloud-amd64",
                             "loaded kpatch_fix"}));
}

// Any process can set its own comm (prctl PR_SET_NAME) to reach the root
// terminal that reports it as blocking.
TEST_F(EscapeTest, BlockingTaskCommAndStack) {
  put("/tmp/kpatch_fix.ko", evil);
  enable_transition = {"1"};
  add_task(666, 666, "\x1b]2;owned\a", "0", "[<0>] f\x1b[2K+0x1/0x2\n");
  EXPECT_EQ(kpatch().load("/tmp/kpatch_fix.ko"), 1);
  EXPECT_EQ(err.str(),
            "kpatch: error: kpatch_fix: the patch transition did not finish in 60s; reverting\n"
            "kpatch: blocking task: pid 666 (\\x1b]2;owned\\x07)\n"
            "    [<0>] f\\x1b[2K+0x1/0x2\n");
}

// c_string: one line whatever the text; the three copies before (builder
// C strings passed control characters, the report special-cased tab) agreed
// on nothing else.
TEST(CString, EscapesQuotesBackslashesAndEveryControlByte) {
  EXPECT_EQ(c_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(c_string("x\ny\tz\x1b\x7f"), "\"x\\012y\\011z\\033\\177\"");
  EXPECT_EQ(c_string("\xc3\xa9"), "\"\xc3\xa9\"");
}

TEST(FirstControl, FindsC0DelAndC1) {
  EXPECT_EQ(kp::first_control("plain \xc3\xa9"), std::string_view::npos);
  EXPECT_EQ(kp::first_control("ab\x1b[31m"), 2u);
  EXPECT_EQ(kp::first_control("\xc3\xa9\x7f"), 2u);
  EXPECT_EQ(kp::first_control("x\xc2\x9b"), 1u);
}

TEST(ValidUtf8, RefusesTruncatedOverlongAndSurrogates) {
  EXPECT_TRUE(valid_utf8("plain \xc3\xa9 \xe2\x9c\x93"));
  EXPECT_FALSE(valid_utf8("\xc3"));
  EXPECT_FALSE(valid_utf8("\xc0\xaf"));
  EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));
}

std::string note(uint32_t type, std::string_view name, std::string_view desc) {
  std::string out(12, '\0');
  uint32_t namesz = static_cast<uint32_t>(name.size()), descsz = static_cast<uint32_t>(desc.size());
  std::memcpy(out.data(), &namesz, 4);
  std::memcpy(out.data() + 4, &descsz, 4);
  std::memcpy(out.data() + 8, &type, 4);
  out += name;
  out.resize((out.size() + 3) & ~size_t{3}, '\0');
  out += desc;
  out.resize((out.size() + 3) & ~size_t{3}, '\0');
  return out;
}

TEST(GnuBuildId, FoundAfterOtherNotes) {
  std::string notes =
      note(1, std::string_view("Xen\0", 4), "abc") + note(3, std::string_view("GNU\0", 4), "\x01\xab\xff");
  EXPECT_EQ(gnu_build_id(notes), "01abff");
}

TEST(GnuBuildId, OtherOwnerOrTypeOrTruncationIsNone) {
  EXPECT_EQ(gnu_build_id(note(3, std::string_view("Go\0\0", 4), "\x01")), "");
  EXPECT_EQ(gnu_build_id(note(4, std::string_view("GNU\0", 4), "\x01")), "");
  std::string cut = note(3, std::string_view("GNU\0", 4), "\x01\x02\x03\x04\x05\x06\x07\x08");
  EXPECT_EQ(gnu_build_id(cut.substr(0, cut.size() - 4)), "");
  EXPECT_EQ(gnu_build_id(""), "");
}

TEST(ModuleNames, OneRuleForEveryTool) {
  EXPECT_EQ(patch_module_name("example-cmdline", 1), "kpatch_example_cmdline");
  EXPECT_EQ(patch_module_name("kpatch-fix", 1), "kpatch_fix");  // source packages once said kpatch_kpatch_fix
  EXPECT_EQ(patch_module_name("fix", 3), "kpatch_fix_v3");
  EXPECT_EQ(base_module_name("kpatch_fix_v3", 3), "kpatch_fix");
  EXPECT_EQ(base_module_name("kpatch_fix_v3", 2), "kpatch_fix_v3");
  EXPECT_EQ(kbuild_module_name("livepatch-cmdline"), "livepatch_cmdline");
  EXPECT_TRUE(valid_module_name("kpatch_fix_v3"));
  EXPECT_FALSE(valid_module_name("../x"));
  EXPECT_FALSE(valid_module_name(std::string(56, 'a')));
  EXPECT_TRUE(valid_release("5.14.0-427.el9.x86_64"));
  EXPECT_FALSE(valid_release(".."));
}

}  // namespace
}  // namespace kpatch::testing

TEST(Join, Separators) {
  EXPECT_EQ(kp::join({}, ", "), "");
  EXPECT_EQ(kp::join({"a"}, ", "), "a");
  EXPECT_EQ(kp::join({"a", "", "b"}, ","), "a,,b");
}

TEST(JsonStringList, EscapesEach) {
  EXPECT_EQ(kp::json_string_list({}), "[]");
  EXPECT_EQ(kp::json_string_list({"a", "b\"c", "\x1b"}), "[\"a\", \"b\\\"c\", \"\\u001b\"]");
}
