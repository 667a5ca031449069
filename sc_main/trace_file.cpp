#include "sc_main/trace_file.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <streambuf>
#include <vector>

namespace vp {
namespace {

// A write-only stream buffer over zlib's gzip file interface.
class GzipBuf : public std::streambuf {
 public:
  explicit GzipBuf(gzFile f) : f_(f), buf_(1 << 16) { setp(buf_.data(), buf_.data() + buf_.size()); }
  ~GzipBuf() override {
    sync();
    gzclose(f_);
  }

 protected:
  int_type overflow(int_type c) override {
    if (flush() != 0) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return flush(); }

 private:
  int flush() {
    const auto n = static_cast<unsigned>(pptr() - pbase());
    if (n && gzwrite(f_, pbase(), n) != static_cast<int>(n)) return -1;
    setp(buf_.data(), buf_.data() + buf_.size());
    return 0;
  }
  gzFile f_;
  std::vector<char> buf_;
};

class GzipStream : public std::ostream {
 public:
  explicit GzipStream(gzFile f) : std::ostream(nullptr), buf_(f) { rdbuf(&buf_); }

 private:
  GzipBuf buf_;
};

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

std::unique_ptr<std::ostream> open_trace_file(const std::string& path) {
  if (ends_with(path, ".gz")) {
    gzFile f = gzopen(path.c_str(), "wb6");
    if (!f) throw std::runtime_error("cannot open trace file " + path + ": " + std::strerror(errno));
    return std::make_unique<GzipStream>(f);
  }
  auto out = std::make_unique<std::ofstream>(path);
  if (!*out) throw std::runtime_error("cannot open trace file " + path + ": " + std::strerror(errno));
  return out;
}

}  // namespace vp
