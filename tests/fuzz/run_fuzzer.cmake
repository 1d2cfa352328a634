# Runs the ELF reader fuzzer for a bounded time on a fresh copy of the seed
# corpus (libFuzzer adds what it finds to its first corpus directory, and the
# seeds must stay as generated).
#
#   cmake -DFUZZER=<elf_reader_fuzz> -DCORPUS=<dir with seeds/ truncated/>
#         -DREGRESSIONS=<tests/fuzz/regressions> -DWORK_DIR=<dir>
#         -DSECONDS=60 -P run_fuzzer.cmake
#
# Fails when libFuzzer reports a crash, a sanitizer error, a leak, a timeout
# or running out of memory; the input that did it is left in
# WORK_DIR/artifacts/ (see tests/fuzz/README.md for what to do with it).
foreach(var FUZZER CORPUS REGRESSIONS WORK_DIR SECONDS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_fuzzer.cmake: -D${var}= is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/corpus" "${WORK_DIR}/artifacts")
file(COPY "${CORPUS}/seeds/" "${CORPUS}/truncated/" DESTINATION "${WORK_DIR}/corpus")

execute_process(
  COMMAND "${FUZZER}" -max_total_time=${SECONDS} -rss_limit_mb=2048 -timeout=30 -print_final_stats=1
          "-artifact_prefix=${WORK_DIR}/artifacts/" "${WORK_DIR}/corpus" "${REGRESSIONS}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(GLOB found "${WORK_DIR}/artifacts/*")
  message(FATAL_ERROR "elf_reader_fuzz failed (${rc}); reproduce with: ${FUZZER} ${found}")
endif()
