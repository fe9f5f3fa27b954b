#include "vfiokit/cli/render/printable_streams.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <streambuf>
#include <string>

#include "vfiokit/base/printable.hpp"

namespace vfiokit::cli {
namespace {

// One escaping stream over a descriptor; `held` keeps the start of a UTF-8
// sequence that a write cut, until the next write completes it.
struct Sink {
  int fd;
  std::string held;
};

bool write_all(int fd, const std::string& text) {
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

ssize_t sink_write(void* cookie, const char* buf, size_t size) {
  auto* sink = static_cast<Sink*>(cookie);
  std::string in = std::move(sink->held);
  in.append(buf, size);
  std::string out;
  out.reserve(in.size());
  const size_t held = append_printable_text(out, in, false);
  sink->held = in.substr(in.size() - held);
  return write_all(sink->fd, out) ? static_cast<ssize_t>(size) : -1;
}

int sink_close(void* cookie) {
  auto* sink = static_cast<Sink*>(cookie);
  std::string out;
  append_printable_text(out, sink->held, true);
  const bool ok = write_all(sink->fd, out);
  delete sink;
  return ok ? 0 : -1;
}

FILE* escaping_stream(int fd, bool line_buffered) {
  cookie_io_functions_t io{};
  io.write = sink_write;
  io.close = sink_close;
  FILE* f = ::fopencookie(new Sink{fd, {}}, "w", io);
  if (f) ::setvbuf(f, nullptr, line_buffered ? _IOLBF : _IOFBF, 1 << 16);
  return f;
}

// std::cout and std::cerr write through the replaced stdio streams.
class StdioBuf : public std::streambuf {
 public:
  explicit StdioBuf(FILE** file) : file_(file) {}

 protected:
  int_type overflow(int_type c) override {
    if (c == traits_type::eof()) return traits_type::not_eof(c);
    return std::fputc(c, *file_) == EOF ? traits_type::eof() : c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    return static_cast<std::streamsize>(std::fwrite(s, 1, static_cast<size_t>(n), *file_));
  }
  int sync() override { return std::fflush(*file_) == 0 ? 0 : -1; }

 private:
  FILE** file_;
};

}  // namespace

void make_output_printable() {
  std::fflush(stdout);
  std::fflush(stderr);
  if (FILE* out = escaping_stream(STDOUT_FILENO, ::isatty(STDOUT_FILENO))) stdout = out;
  if (FILE* err = escaping_stream(STDERR_FILENO, true)) stderr = err;
  static StdioBuf out_buf(&stdout), err_buf(&stderr);
  std::cout.rdbuf(&out_buf);
  std::cerr.rdbuf(&err_buf);
}

}  // namespace vfiokit::cli
