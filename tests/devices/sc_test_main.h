#pragma once
// sc_main for the device tests. SystemC allows one elaboration per process, so
// every test builds its own modules and runs in its own forked process; the
// parent collects the results. With --gtest_filter (or VP_TEST_NO_FORK=1) the
// selected tests run in this process instead, which is what a debugger wants.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <systemc>

namespace vp::test {

// Modules live until the process exits: SystemC forbids destroying them once
// the simulation has started.
template <typename T, typename... Args>
T& make(Args&&... args) {
  return *new T(std::forward<Args>(args)...);
}

inline int run_isolated(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (GTEST_FLAG_GET(filter) != "*" || std::getenv("VP_TEST_NO_FORK")) return RUN_ALL_TESTS();
  std::vector<std::string> names;
  const auto& unit = *::testing::UnitTest::GetInstance();
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const auto& suite = *unit.GetTestSuite(i);
    for (int j = 0; j < suite.total_test_count(); ++j)
      names.push_back(std::string(suite.name()) + "." + suite.GetTestInfo(j)->name());
  }
  std::vector<std::string> failed;
  for (const auto& name : names) {
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = fork();
    if (pid == 0) {
      GTEST_FLAG_SET(filter, name);
      GTEST_FLAG_SET(brief, true);
      const int rc = RUN_ALL_TESTS();
      std::fflush(stdout);
      std::fflush(stderr);
      _exit(rc);  // skip static destructors of the SystemC kernel
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
      failed.push_back(name);
    std::printf("[%s] %s\n", failed.empty() || failed.back() != name ? "  PASSED  " : "  FAILED  ",
                name.c_str());
  }
  std::printf("%zu of %zu tests passed\n", names.size() - failed.size(), names.size());
  for (const auto& f : failed) std::printf("FAILED: %s\n", f.c_str());
  return failed.empty() ? 0 : 1;
}

}  // namespace vp::test

#define VP_SC_TEST_MAIN \
  int sc_main(int argc, char** argv) { return vp::test::run_isolated(argc, argv); }
