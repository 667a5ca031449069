// The guest console's stdout and vp's own stderr lines: buffered guest output
// keeps its order against unbuffered output and vp's messages.
#include "platform/terminal.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

namespace {

// stdout and stderr both into one pipe for the test's duration (as `vp ... 2>&1 | cat`).
class SharedPipe {
 public:
  SharedPipe() {
    saved_out_ = dup(STDOUT_FILENO);
    saved_err_ = dup(STDERR_FILENO);
    EXPECT_EQ(pipe(fds_), 0);
    fcntl(fds_[0], F_SETFL, O_NONBLOCK);
    dup2(fds_[1], STDOUT_FILENO);
    dup2(fds_[1], STDERR_FILENO);
  }
  ~SharedPipe() {
    vp::platform::console_flush();  // nothing of this test's output stays for the next
    dup2(saved_out_, STDOUT_FILENO);
    dup2(saved_err_, STDERR_FILENO);
    close(saved_out_);
    close(saved_err_);
    close(fds_[0]);
    close(fds_[1]);
  }
  // Everything written so far.
  std::string drain() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds_[0], buf, sizeof buf)) > 0) out.append(buf, size_t(n));
    return out;
  }

 private:
  int fds_[2] = {-1, -1};
  int saved_out_ = -1, saved_err_ = -1;
};

using vp::platform::console_flush;
using vp::platform::console_output;
using vp::platform::console_output_buffered;
using vp::platform::message;

// Each test collects what the pipe held at each step and checks it after stdout
// is back (a failure message printed into the pipe would be lost).
TEST(Terminal, BufferedOutputWaitsForTheFlush) {
  std::string before, after, again;
  {
    SharedPipe pipe;
    console_output_buffered("ab", 2);
    console_output_buffered("c", 1);
    before = pipe.drain();
    console_flush();
    after = pipe.drain();
    console_flush();  // nothing left: writes nothing
    again = pipe.drain();
  }
  EXPECT_EQ(before, "");
  EXPECT_EQ(after, "abc");
  EXPECT_EQ(again, "");
}

TEST(Terminal, MessageAndUnbufferedOutputComeAfterBufferedOutput) {
  std::string out;
  {
    SharedPipe pipe;
    console_output_buffered("guest ", 6);
    console_output("htif ", 5);
    console_output_buffered("line\n", 5);
    message("vp: status");
    out = pipe.drain();
  }
  EXPECT_EQ(out, "guest htif line\nvp: status\n");
}

TEST(Terminal, FourKibibytesGoOutWithoutAFlush) {
  std::string below, at;
  {
    SharedPipe pipe;
    const std::string chunk(1000, 'x');
    for (int i = 0; i < 4; ++i) console_output_buffered(chunk.data(), chunk.size());
    below = pipe.drain();
    console_output_buffered(chunk.data(), 96);
    at = pipe.drain();
  }
  EXPECT_EQ(below, "");
  EXPECT_EQ(at.size(), 4096u);
}

}  // namespace
