// The vp_skt_* socket helpers (the c_skt_* analogue) for peers that are not
// RTL: listen/accept/connect over Unix and TCP sockets, messages both ways,
// timeouts, bounded messages, a closed peer, bad addresses; no SIGPIPE.
#include <unistd.h>

#include <cstring>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "models/rtl/vp_skt.h"

namespace {

// Echoes each message back with its bytes reversed, then a 64-bit word: the message length.
void echo_server(int listen_fd) {
  const int fd = vp_skt_accept(listen_fd, 5000);
  if (fd < 0) return;
  char buf[256];
  uint32_t len = 0;
  while (vp_skt_recv_msg(fd, buf, sizeof buf, &len, 5000) == 0) {
    std::string s(buf, len);
    std::string r(s.rbegin(), s.rend());
    if (vp_skt_send_msg(fd, r.data(), uint32_t(r.size())) || vp_skt_send64(fd, (long long)len)) break;
  }
  vp_skt_close(fd);
}

void exchange(const std::string& address) {
  char bound[128] = {};
  const int lfd = vp_skt_listen(address.c_str(), bound, sizeof bound);
  ASSERT_GE(lfd, 0) << address;
  std::thread server(echo_server, lfd);
  const int fd = vp_skt_connect(bound, 2000);
  ASSERT_GE(fd, 0) << bound;
  for (const std::string& msg : {std::string("hello"), std::string(), std::string(200, 'x') + "y"}) {
    ASSERT_EQ(vp_skt_send_msg(fd, msg.data(), uint32_t(msg.size())), 0);
    char buf[256];
    uint32_t len = 0;
    ASSERT_EQ(vp_skt_recv_msg(fd, buf, sizeof buf, &len, 2000), 0);
    EXPECT_EQ(std::string(buf, len), std::string(msg.rbegin(), msg.rend()));
    long long n = -1;
    ASSERT_EQ(vp_skt_recv64(fd, &n, 2000), 0);
    EXPECT_EQ(n, (long long)msg.size());
  }
  // Nothing more is coming: a timeout, not a hang.
  long long n;
  EXPECT_EQ(vp_skt_recv64(fd, &n, 50), VP_SKT_ETIMEOUT);
  vp_skt_close(fd);  // the server sees the end of the stream and quits
  server.join();
  vp_skt_close(lfd);
}

TEST(Skt, UnixMessages) {
  const std::string path = "/tmp/vp-skt-test-" + std::to_string(getpid()) + ".sock";
  exchange("unix:" + path);
  unlink(path.c_str());
}

TEST(Skt, TcpMessagesOnAnyFreePort) { exchange("tcp:0"); }

TEST(Skt, BoundsTimeoutsAndErrors) {
  char bound[128] = {};
  const int lfd = vp_skt_listen("tcp:127.0.0.1:0", bound, sizeof bound);
  ASSERT_GE(lfd, 0);
  EXPECT_EQ(std::string(bound).rfind("tcp:127.0.0.1:", 0), 0u);
  EXPECT_EQ(vp_skt_accept(lfd, 30), VP_SKT_ETIMEOUT);  // nobody connects
  const int c = vp_skt_connect(bound, 1000);
  ASSERT_GE(c, 0);
  const int s = vp_skt_accept(lfd, 1000);
  ASSERT_GE(s, 0);
  // A message longer than the receiver's buffer is refused, not overrun.
  const std::string big(100, 'b');
  ASSERT_EQ(vp_skt_send_msg(c, big.data(), uint32_t(big.size())), 0);
  char small[10];
  uint32_t len = 0;
  EXPECT_EQ(vp_skt_recv_msg(s, small, sizeof small, &len, 1000), VP_SKT_ETOOBIG);
  EXPECT_EQ(len, 100u);
  // The peer closes: ECLOSED on receive, and on send no SIGPIPE.
  vp_skt_close(c);
  char b[200];
  EXPECT_EQ(vp_skt_recv(s, b, sizeof b, 1000), VP_SKT_ECLOSED);
  int rc = 0;
  for (int i = 0; i < 100 && rc == 0; ++i) rc = vp_skt_send(s, big.data(), big.size());
  EXPECT_EQ(rc, VP_SKT_ECLOSED);
  vp_skt_close(s);
  vp_skt_close(lfd);
  // Bad addresses; nobody listening.
  for (const char* bad : {"", "tcp:", "tcp:99999", "tcp:12ab", "unix:"})
    EXPECT_EQ(vp_skt_connect(bad, 0), VP_SKT_EADDR) << bad;
  const std::string long_path = "unix:/tmp/" + std::string(200, 'p');
  EXPECT_EQ(vp_skt_listen(long_path.c_str(), nullptr, 0), VP_SKT_EADDR);
  EXPECT_EQ(vp_skt_listen("tcp:not-an-ip:0", nullptr, 0), VP_SKT_EADDR);
  EXPECT_EQ(vp_skt_connect("unix:/tmp/vp-skt-nobody-listens.sock", 50), VP_SKT_ESYS);
  EXPECT_STREQ(vp_skt_strerror(VP_SKT_ETOOBIG), "message longer than the buffer");
}

}  // namespace
