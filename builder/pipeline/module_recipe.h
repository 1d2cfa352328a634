// Linking the patch module with the commands Kbuild ran for the last one
// (module_recipe.cpp explains).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipeline/context.h"

namespace kp {

// One command of a module link: the file it makes (relative to the module
// dir) and the command, with @DIR@, @NAME@ and @REPLACE@ for the module
// dir, the module's name and KPATCH_REPLACE's value.
struct RecipeStep {
  std::string output;
  std::string command;
};

// The steps of the link make just did in `dir` for module `name`, made
// general; nullopt (with the reason in `why`) when they cannot be.
std::optional<std::vector<RecipeStep>> recipe_from_link(const fs::path& dir, const std::string& name, std::string& why);

// What the module recipe of this build is keyed by.
std::string module_recipe_key(BuildCtx& ctx);

// CACHE/module-recipe, or empty when the target has no cache (-s).
fs::path module_recipe_file(const BuildCtx& ctx);

// Keeps the recipe of the link make just did in `dir`; "" or a warning.
std::string store_module_recipe(BuildCtx& ctx, const fs::path& dir);

// Links the module in `dir` (Kbuild file, sources and diff objects
// written; `objects` its NAME-y list, in order) with the stored recipe;
// false, with the dir's outputs removed, when there is none or it fails:
// make links it then.
bool replay_module_link(BuildCtx& ctx, const fs::path& dir, const std::vector<std::string>& objects);

}  // namespace kp
