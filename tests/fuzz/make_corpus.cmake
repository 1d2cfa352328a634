# Builds the fuzz seed corpus at test time (the fixture of the fuzz tests).
#
#   cmake -DCC=gcc -DSEED_DIR=<tests/fuzz/seeds> -DOUT_DIR=<dir> -P make_corpus.cmake
#
# Each SEED_DIR/*.c is compiled with the flags on its first line
# ("// cflags: ...") into OUT_DIR/seeds/<name>.o; these must load cleanly.
# OUT_DIR/truncated/ gets cut-off copies of each (the ELF header alone, half
# the file, all but the last byte, which loses part of the section header
# table): inputs the reader must reject with kp::Fatal, and good starting
# points for the fuzzer.
foreach(var CC SEED_DIR OUT_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "make_corpus.cmake: -D${var}= is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${OUT_DIR}/seeds" "${OUT_DIR}/truncated")
file(MAKE_DIRECTORY "${OUT_DIR}/seeds" "${OUT_DIR}/truncated")

file(GLOB sources "${SEED_DIR}/*.c")
list(SORT sources)
if(NOT sources)
  message(FATAL_ERROR "no seed sources in ${SEED_DIR}")
endif()

foreach(src IN LISTS sources)
  get_filename_component(name "${src}" NAME_WE)
  file(STRINGS "${src}" first LIMIT_COUNT 1)
  if(NOT first MATCHES "^// cflags: (.*)$")
    message(FATAL_ERROR "${src}: the first line must be '// cflags: ...'")
  endif()
  separate_arguments(cflags UNIX_COMMAND "${CMAKE_MATCH_1}")
  set(obj "${OUT_DIR}/seeds/${name}.o")
  execute_process(COMMAND "${CC}" ${cflags} -c "${src}" -o "${obj}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${src}: ${CC} ${cflags} failed (${rc})")
  endif()

  file(SIZE "${obj}" size)
  math(EXPR half "${size} / 2")
  math(EXPR all_but_one "${size} - 1")
  foreach(cut 64 ${half} ${all_but_one})
    execute_process(COMMAND head -c ${cut} "${obj}" OUTPUT_FILE "${OUT_DIR}/truncated/${name}.${cut}.o"
                    RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "head -c ${cut} ${obj} failed (${rc})")
    endif()
  endforeach()
  message(STATUS "seed ${name}.o: ${size} bytes")
endforeach()
