// gtest entry for SystemC test programs. SystemC allows one elaboration per
// process, so ctest runs each TEST in its own process (gtest_discover_tests).
#include <gtest/gtest.h>
#include <cstdlib>
#include <systemc>

// SystemC prints its banner when the kernel starts; a tool's output should not.
static const int kQuietSystemC = (setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0),
                                  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0), 0);

int sc_main(int argc, char* argv[]) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
