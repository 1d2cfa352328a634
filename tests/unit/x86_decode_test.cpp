#include "diff/x86_decode.h"

#include <gtest/gtest.h>
