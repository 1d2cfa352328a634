// What is live: list, status and info as text and JSON; signal.
#include "cli_fixture.h"

namespace kpatch::testing {
namespace {

class ReportTest : public CliTest {
 protected:
  Patch fix = Patch("kpatch_fix", "fix", 2)
                  .with(&Patch::build_id, kBuildId)
                  .with(&Patch::cves, "CVE-2024-1234,CVE-2024-5678")
                  .with(&Patch::functions, "vmlinux:cmdline_proc_show,nfsd:nfsd_dispatch")
                  .with(&Patch::summary, "Fix \"cmdline\" leak\tin procfs");
  Patch net =
      Patch("kpatch_net", "net-fix", 3).with(&Patch::cves, "CVE-2024-5678,CVE-2023-0001").with(&Patch::replace, "0");
};

TEST_F(ReportTest, ListText) {
  add_loaded("kpatch_fix", "enabled", {"vmlinux:cmdline_proc_show", "nfsd:nfsd_dispatch"});
  add_loaded("kpatch_net", "enabling");
  install(fix);
  install(net);
  install(fix.with(&Patch::release, "6.1.0-57-cloud-amd64"), "6.1.0-57-cloud-amd64");
  add_task(1, 1, "systemd", "1");
  add_task(1234, 1240, "gmain", "0", "[<0>] futex_wait_queue+0x60/0x90\n[<0>] futex_wait+0x175/0x260\n");
  add_task(2, 2, "kthreadd", "-1");
  EXPECT_EQ(kpatch().list(), 0);
  EXPECT_EQ(out.str(),
            "Loaded patch modules:\n"
            "kpatch_fix [enabled]\n"
            "kpatch_net [enabling...]\n"
            "\n"
            "Stalled processes:\n"
            "1240 gmain\n"
            "stack:\n"
            "[<0>] futex_wait_queue+0x60/0x90\n"
            "[<0>] futex_wait+0x175/0x260\n"
            "\n"
            "Installed patch modules:\n"
            "kpatch_fix (6.1.0-56-cloud-amd64)\n"
            "kpatch_net (6.1.0-56-cloud-amd64)\n"
            "kpatch_fix (6.1.0-57-cloud-amd64)\n");
  EXPECT_EQ(err.str(), "");
  EXPECT_TRUE(sys.calls.empty());
}

// Upstream's states: "disabling..." while the patch is being reverted,
// and its stalled tasks are those still patched.
TEST_F(ReportTest, ListDisablingNamesTheTasksStillPatched) {
  add_loaded("kpatch_fix", "disabling");
  add_loaded("kpatch_old", "disabled");
  add_task(1, 1, "systemd", "0");
  add_task(703, 703, "CPU 0/KVM", "1", "[<0>] kvm_vcpu_block+0x4a/0x80\n");
  EXPECT_EQ(kpatch().list(), 0);
  EXPECT_EQ(out.str(),
            "Loaded patch modules:\n"
            "kpatch_fix [disabling...]\n"
            "kpatch_old [disabled]\n"
            "\n"
            "Stalled processes:\n"
            "703 CPU 0/KVM\n"
            "stack:\n"
            "[<0>] kvm_vcpu_block+0x4a/0x80\n"
            "\n"
            "Installed patch modules:\n");
}

TEST_F(ReportTest, ListEmpty) {
  EXPECT_EQ(kpatch().list(), 0);
  EXPECT_EQ(out.str(), "Loaded patch modules:\n\nInstalled patch modules:\n");
}

TEST_F(ReportTest, ListJson) {
  add_loaded("kpatch_fix", "enabled", {"vmlinux:cmdline_proc_show"});
  add_loaded("kpatch_net", "disabling");
  install(fix);
  opt.json = true;
  EXPECT_EQ(kpatch().list(), 0);
  EXPECT_EQ(out.str(),
            "{\"loaded\": [{\"name\": \"kpatch_fix\", \"state\": \"enabled\", \"functions\": "
            "[\"vmlinux:cmdline_proc_show,1\"]}, {\"name\": \"kpatch_net\", \"state\": \"disabling\", \"functions\": "
            "[], \"stalled\": []}], \"installed\": [{\"name\": \"kpatch_fix\", \"file\": "
            "\"/var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_fix.ko\", \"id\": \"fix\", \"version\": 2, \"summary\": "
            "\"Fix \\\"cmdline\\\" leak\\u0009in procfs\", \"cves\": [\"CVE-2024-1234\", \"CVE-2024-5678\"], "
            "\"kernel\": \"6.1.0-56-cloud-amd64\", \"build_id\": \"4c1e9a037700fe123456789abcdef00102030405\", "
            "\"replace\": true, \"functions\": [\"vmlinux:cmdline_proc_show\", \"nfsd:nfsd_dispatch\"]}]}\n");
}

// The "Stalled processes:" block of the text, as the patch's "stalled"
// list: only a patch in transition has one.
TEST_F(ReportTest, ListJsonNamesTheStalledTasks) {
  add_loaded("kpatch_fix", "enabled");
  add_loaded("kpatch_net", "enabling");
  add_task(1, 1, "systemd", "1");
  add_task(1234, 1240, "gmain", "0", "[<0>] futex_wait_queue+0x60/0x90\n[<0>] futex_wait+0x175/0x260\n");
  add_task(1234, 1241, "a \"quoted\" name", "0");
  add_task(2, 2, "kthreadd", "-1");
  opt.json = true;
  EXPECT_EQ(kpatch().list(), 0);
  EXPECT_EQ(out.str(),
            "{\"loaded\": [{\"name\": \"kpatch_fix\", \"state\": \"enabled\", \"functions\": []}, "
            "{\"name\": \"kpatch_net\", \"state\": \"enabling\", \"functions\": [], \"stalled\": ["
            "{\"tid\": 1240, \"comm\": \"gmain\", \"stack\": [\"[<0>] futex_wait_queue+0x60/0x90\", "
            "\"[<0>] futex_wait+0x175/0x260\"]}, "
            "{\"tid\": 1241, \"comm\": \"a \\\"quoted\\\" name\", \"stack\": []}]}], \"installed\": []}\n");
  // Disabling: the tasks still patched stall it.
  out.str("");
  sys.files[kLp + "kpatch_net/enabled"] = "0\n";
  EXPECT_EQ(kpatch().list(), 0);
  EXPECT_NE(out.str().find("\"state\": \"disabling\", \"functions\": [], \"stalled\": [{\"tid\": 1, \"comm\": "
                           "\"systemd\", \"stack\": []}]}"),
            std::string::npos)
      << out.str();
}

TEST_F(ReportTest, StatusText) {
  add_loaded("kpatch_fix");
  add_loaded("kpatch_going", "disabling");
  add_loaded("kpatch_manual");  // loaded by hand, not installed
  add_loaded("kpatch_net");
  install(fix);
  install(net);
  EXPECT_EQ(kpatch().status(), 0);
  EXPECT_EQ(out.str(),
            "Running kernel:    6.1.0-56-cloud-amd64\n"
            "Patches active:    3\n"
            "    kpatch_fix (fix.2)\n"
            "    kpatch_manual (kpatch_manual.?)\n"
            "    kpatch_net (net-fix.3)\n"
            "CVEs fixed live:   CVE-2023-0001 CVE-2024-1234 CVE-2024-5678\n"
            "Effective version: 6.1.0-56-cloud-amd64+fix.2+kpatch_manual.?+net-fix.3\n");
  EXPECT_EQ(err.str(), "");
}

// A patch loaded by path (not in /var/lib/kpatch) describes itself through
// the read-only module parameters kpatch-build gives it.
void expose(FakeSystem& sys, const std::string& name, const std::string& id, const std::string& cves) {
  const std::string dir = "/sys/module/" + name + "/parameters/";
  sys.files[dir + "kpatch_id"] = id + "\n";
  sys.files[dir + "kpatch_version"] = "4\n";
  sys.files[dir + "kpatch_cves"] = cves + "\n";
  sys.files[dir + "kpatch_kernel"] = "6.1.0-56-cloud-amd64\n";
  sys.files[dir + "kpatch_build_id"] = "abcd\n";
  sys.files[dir + "kpatch_summary"] = "Manual \x1b fix\n";
}

TEST_F(ReportTest, StatusOfAPatchLoadedByPathFromItsParameters) {
  add_loaded("kpatch_manual");
  expose(sys, "kpatch_manual", "manual", "CVE-2025-0002");
  opt.json = true;
  EXPECT_EQ(kpatch().status(), 0);
  EXPECT_NE(out.str().find("\"cves\": [\"CVE-2025-0002\"]"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("\"effective_version\": \"6.1.0-56-cloud-amd64+manual.4\""), std::string::npos);
}

TEST_F(ReportTest, InfoAndListOfAPatchLoadedByPath) {
  add_loaded("kpatch_manual");
  expose(sys, "kpatch_manual", "manual", "CVE-2025-0002,CVE-2025-0003");
  EXPECT_EQ(kpatch().info("kpatch_manual"), 0);
  EXPECT_NE(out.str().find("file:      (loaded, not installed)\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("cves:      CVE-2025-0002,CVE-2025-0003\n"), std::string::npos);
  EXPECT_NE(out.str().find("summary:   Manual \\x1b fix\n"), std::string::npos);
  EXPECT_NE(out.str().find("version:   4\n"), std::string::npos);
  out.str("");
  opt.json = true;
  EXPECT_EQ(kpatch().list(), 0);
  EXPECT_NE(out.str().find("\"id\": \"manual\", \"version\": 4, \"cves\": [\"CVE-2025-0002\", \"CVE-2025-0003\"]"),
            std::string::npos)
      << out.str();
}

TEST_F(ReportTest, InfoOfAnUnknownNameStillSaysNoSuchFile) {
  EXPECT_EQ(kpatch().info("kpatch_nothing"), 1);
  EXPECT_NE(err.str().find("kpatch_nothing.ko: no such file"), std::string::npos) << err.str();
}

TEST_F(ReportTest, StatusJson) {
  add_loaded("kpatch_fix");
  add_loaded("kpatch_net");
  install(fix);
  install(net);
  opt.json = true;
  EXPECT_EQ(kpatch().status(), 0);
  EXPECT_EQ(out.str(),
            "{\"kernel\": \"6.1.0-56-cloud-amd64\", \"build_id\": \"4c1e9a037700fe123456789abcdef00102030405\", "
            "\"active\": [\"kpatch_fix\", \"kpatch_net\"], \"cves\": [\"CVE-2023-0001\", \"CVE-2024-1234\", "
            "\"CVE-2024-5678\"], \"effective_version\": \"6.1.0-56-cloud-amd64+fix.2+net-fix.3\"}\n");
}

TEST_F(ReportTest, StatusWithNothingLoaded) {
  install(fix);
  EXPECT_EQ(kpatch().status(), 0);
  EXPECT_EQ(out.str(),
            "Running kernel:    6.1.0-56-cloud-amd64\n"
            "Patches active:    0\n"
            "CVEs fixed live:   none\n"
            "Effective version: 6.1.0-56-cloud-amd64\n");
  opt.json = true;
  out.str("");
  sys.files.erase("/sys/kernel/notes");
  EXPECT_EQ(kpatch().status(), 0);
  EXPECT_EQ(out.str(),
            "{\"kernel\": \"6.1.0-56-cloud-amd64\", \"build_id\": \"\", \"active\": [], \"cves\": [], "
            "\"effective_version\": \"6.1.0-56-cloud-amd64\"}\n");
}

TEST_F(ReportTest, StatusTagFallsBackToTheNameWithoutAnId) {
  fix.id = "";
  install(fix);
  add_loaded("kpatch_fix");
  EXPECT_EQ(kpatch().status(), 0);
  EXPECT_TRUE(out.str().ends_with("Effective version: 6.1.0-56-cloud-amd64+kpatch_fix.2\n")) << out.str();
}

TEST_F(ReportTest, InfoTextByName) {
  install(fix.with(&Patch::srcversion, "5F1B6A0C3E2D4F7A8B9C0D1"));
  EXPECT_EQ(kpatch().info("kpatch-fix"), 0);
  EXPECT_EQ(out.str(),
            "name:      kpatch_fix\n"
            "file:      /var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_fix.ko\n"
            "id:        fix\n"
            "version:   2\n"
            "summary:   Fix \"cmdline\" leak\\x09in procfs\n"  // a tab is a control character
            "cves:      CVE-2024-1234,CVE-2024-5678\n"
            "kernel:    6.1.0-56-cloud-amd64\n"
            "build id:  4c1e9a037700fe123456789abcdef00102030405\n"
            "replace:   yes\n"
            "functions: vmlinux:cmdline_proc_show,nfsd:nfsd_dispatch\n"
            "built:     2025-01-02T03:04:05Z\n"
            "\n"  // then the rest of .modinfo, as modinfo(8) lays it out
            "depends:\n"
            "license:        GPL\n"
            "livepatch:      Y\n"
            "name:           kpatch_fix\n"
            "retpoline:      Y\n"
            "srcversion:     5F1B6A0C3E2D4F7A8B9C0D1\n"
            "vermagic:       6.1.0-56-cloud-amd64 SMP preempt mod_unload modversions \n");
  EXPECT_EQ(err.str(), "");
}

TEST_F(ReportTest, InfoJsonByPath) {
  put("/tmp/kpatch_net.ko", net);
  opt.json = true;
  EXPECT_EQ(kpatch().info("/tmp/kpatch_net.ko"), 0);
  EXPECT_EQ(out.str(),
            "{\"name\": \"kpatch_net\", \"file\": \"/tmp/kpatch_net.ko\", \"id\": \"net-fix\", \"version\": 3, "
            "\"summary\": \"\", \"cves\": [\"CVE-2024-5678\", \"CVE-2023-0001\"], \"kernel\": "
            "\"6.1.0-56-cloud-amd64\", \"build_id\": \"\", \"replace\": false, \"functions\": []}\n");
}

TEST_F(ReportTest, InfoRefusesWhatIsNotAPatch) {
  net.livepatch = false;
  put("/tmp/kpatch_net.ko", net);
  EXPECT_EQ(kpatch().info("/tmp/kpatch_net.ko"), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), "kpatch: error: /tmp/kpatch_net.ko: not a livepatch module (no livepatch=Y in .modinfo)\n");
  EXPECT_EQ(kpatch().info("kpatch_none"), 1);
  EXPECT_TRUE(
      err.str().ends_with("kpatch: error: /var/lib/kpatch/6.1.0-56-cloud-amd64/kpatch_none.ko: no such file\n"));
}

TEST_F(ReportTest, SignalWritesOnlyToPatchesInTransition) {
  add_loaded("kpatch_a", "enabling");
  add_loaded("kpatch_b");
  add_loaded("kpatch_c", "disabling");
  EXPECT_EQ(kpatch().signal(), 0);
  EXPECT_EQ(sys.calls,
            (Calls{"write /sys/kernel/livepatch/kpatch_a/signal 1", "write /sys/kernel/livepatch/kpatch_c/signal 1"}));
  EXPECT_EQ(err.str(), "");
}

TEST_F(ReportTest, SignalFailureIsReported) {
  add_loaded("kpatch_a", "enabling");
  sys.write_error[kLp + "kpatch_a/signal"] = "Invalid argument";
  EXPECT_EQ(kpatch().signal(), 1);
  EXPECT_EQ(err.str(), "kpatch: error: kpatch_a: cannot signal: Invalid argument\n");
}

// As the classic kpatch: such a kernel signals stalled tasks itself.
TEST_F(ReportTest, SignalOnAKernelWithoutTheAttributeWarnsOnceAndSucceeds) {
  add_loaded("kpatch_a", "enabling");
  add_loaded("kpatch_b", "disabling");
  sys.files.erase(kLp + "kpatch_a/signal");
  sys.files.erase(kLp + "kpatch_b/signal");
  EXPECT_EQ(kpatch().signal(), 0);
  EXPECT_EQ(err.str(), "kpatch: warning: this kernel has no livepatch signal attribute; it signals stalled tasks "
                       "itself\n");
  EXPECT_EQ(out.str(), "");
  EXPECT_TRUE(sys.calls.empty());
}

TEST_F(ReportTest, SignalWithNoTransitionDoesNothing) {
  add_loaded("kpatch_a");
  sys.files.erase(kLp + "kpatch_a/signal");
  EXPECT_EQ(kpatch().signal(), 0);
  EXPECT_EQ(err.str(), "");
  EXPECT_TRUE(sys.calls.empty());
}

}  // namespace
}  // namespace kpatch::testing
