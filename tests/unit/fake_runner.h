// A Runner that records commands and answers from a script of responses,
// optionally with a side effect (creating the files a real make would).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sys/process.h"

namespace kp::testing {

class FakeRunner : public Runner {
 public:
  struct Rule {
    std::string match;  // substring of Command::str()
    ProcResult result;
    std::function<void(const Command&)> effect;
  };

  void on(std::string match, ProcResult result, std::function<void(const Command&)> effect = {}) {
    rules_.push_back({std::move(match), std::move(result), std::move(effect)});
  }
  ProcResult run(const Command& cmd) override {
    commands.push_back(cmd.str());
    for (const Rule& r : rules_)
      if (cmd.str().find(r.match) != std::string::npos) {
        if (r.effect) r.effect(cmd);
        return r.result;
      }
    return {0, ""};
  }

  std::vector<std::string> commands;

 private:
  std::vector<Rule> rules_;
};

}  // namespace kp::testing
