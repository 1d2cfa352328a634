// Compiling a patched object with the command Kbuild recorded for it
// (kbuild_replay.cpp explains when that is the same as running make).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "pipeline/context.h"

namespace kp {

// The command Kbuild ran for `obj`, from the text of its .cmd file
// (`cmd_OBJ := ...` up to 6.1, `savedcmd_OBJ := ...` since), with make's
// escapes ($$, $(pound)) undone; nullopt when the text has none.
std::optional<std::string> kbuild_recorded_command(const std::string& cmd_text, const std::string& obj);


// Text a shell reads as itself: letters, digits and / . _ + - , = space.
bool plain_path_text(std::string_view s);

// Why `job`'s patched side cannot be compiled with its recorded command,
// or "" when it can.
std::string replay_refusal(const BuildCtx& ctx, const ObjectJob& job);

// Runs the recorded command in the tree for the patched side (and
// genksyms for the CRCs of what it exports, into job.crcs_patched); false
// (and nothing left in the tree's object) when Kbuild's make must do it.
bool replay_compile(BuildCtx& ctx, ObjectJob& job);

}  // namespace kp
