// The JSON build report written next to the module: per object the
// changed, new and refused functions, and the time each stage took.
#include <fstream>

#include "common/text.h"
#include "pipeline/context.h"

namespace kp {

namespace {

// JSON strings by common/text.h's one rule (the manager reads them back).
std::string json(const std::string& s) {
  return json_string(s);
}

}  // namespace

const char* diff_outcome(int status) {
  switch (status) {
    case 0: return "patched";
    case 2: return "refused";
    case 3: return "unchanged";
    case -1: return "not compared";  // the build stopped before the differ ran
    default: return "error";
  }
}

std::string object_json(const ObjectJob& o) {
  return "{\"object\": " + json(o.path) + ", \"parent\": " + json(o.parent) +
         ", \"result\": " + json(diff_outcome(o.diff_status)) + ", \"changed\": " + json_string_list(o.changed) +
         ", \"new\": " + json_string_list(o.added) +
         ", \"patched_compiled_by\": " + json(o.replayed ? "recorded command" : "make") +
         ", \"messages\": " + json(o.messages) + "}";
}

void write_report(BuildCtx& ctx) {
  fs::path path = ctx.cfg.output_dir / (ctx.module_name() + ".json");
  std::ofstream out(path);
  out << "{\n  \"id\": " << json(ctx.manifest.id) << ",\n  \"module\": " << json(ctx.module_name())
      << ",\n  \"version\": " << ctx.manifest.version << ",\n  \"kernel\": " << json(ctx.target.release)
      << ",\n  \"build_id\": " << json(ctx.build_id) << ",\n  \"cves\": " << json_string_list(ctx.manifest.cves)
      << ",\n  \"ko\": " << json(ctx.ko.string()) << ",\n  \"warnings\": " << json_string_list(ctx.warnings)
      << ",\n  \"originals_from_cache\": " << ctx.originals_from_cache
      << ",\n  \"module_objects_from_cache\": " << ctx.module_objects_from_cache
      << ",\n  \"module_linked_by\": " << json(ctx.module_linked_by) << ",\n  \"objects\": [";
  for (size_t i = 0; i < ctx.objects.size(); ++i) out << (i ? "," : "") << "\n    " << object_json(ctx.objects[i]);
  out << "\n  ],\n  \"timings\": {";
  for (size_t i = 0; i < ctx.timings.size(); ++i)
    out << (i ? ", " : "") << json(ctx.timings[i].first) << ": " << ctx.timings[i].second;
  out << "}\n}\n";
}

}  // namespace kp
