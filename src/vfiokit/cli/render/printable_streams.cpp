// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/cli/render/printable_streams.hpp"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <streambuf>
#include <string>
#include <string_view>

#include "vfiokit/base/printable.hpp"

namespace vfiokit::cli {
namespace {

// One escaping stream over a descriptor; `held` keeps the start of a UTF-8
// sequence that a write cut, until the next write completes it.
struct Sink {
  int fd;
  std::string held;
  bool raw = false;     // write_raw's own bytes, passed unescaped
  bool closed = false;  // the reader went away (EPIPE): the rest is dropped
};

Sink* g_sinks[3] = {};  // by descriptor: stdout and stderr

// A reader that went away (`vfiokit list | head`) is not an error of the
// command: what it would have read is dropped and the command finishes, so
// a change in progress is never cut short by its output's reader.
bool write_all(Sink* sink, std::string_view text) {
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(sink->fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EPIPE) {
      sink->closed = true;
      return true;
    }
    if (n < 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

ssize_t sink_write(void* cookie, const char* buf, size_t size) {
  auto* sink = static_cast<Sink*>(cookie);
  if (sink->closed) return static_cast<ssize_t>(size);
  // write_raw's bytes go out as they are, without a copy: a large host's
  // JSON is megabytes of them.
  if (sink->raw) return write_all(sink, {buf, size}) ? static_cast<ssize_t>(size) : -1;
  std::string in = std::move(sink->held);
  in.append(buf, size);
  std::string out;
  out.reserve(in.size());
  const size_t held = append_printable_text(out, in, false);
  sink->held = in.substr(in.size() - held);
  return write_all(sink, out) ? static_cast<ssize_t>(size) : -1;
}

int sink_close(void* cookie) {
  auto* sink = static_cast<Sink*>(cookie);
  std::string out;
  append_printable_text(out, sink->held, true);
  const bool ok = write_all(sink, out);
  for (auto& s : g_sinks)
    if (s == sink) s = nullptr;
  delete sink;
  return ok ? 0 : -1;
}

FILE* escaping_stream(int fd, bool line_buffered) {
  cookie_io_functions_t io{};
  io.write = sink_write;
  io.close = sink_close;
  auto* sink = new Sink{fd, {}};
  FILE* f = ::fopencookie(sink, "w", io);
  if (!f) {
    delete sink;
    return nullptr;
  }
  ::setvbuf(f, nullptr, line_buffered ? _IOLBF : _IOFBF, 1 << 16);
  g_sinks[fd] = sink;
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
  // EPIPE instead of a signal: see write_all.
  ::signal(SIGPIPE, SIG_IGN);
  std::fflush(stdout);
  std::fflush(stderr);
  if (FILE* out = escaping_stream(STDOUT_FILENO, ::isatty(STDOUT_FILENO))) stdout = out;
  if (FILE* err = escaping_stream(STDERR_FILENO, true)) stderr = err;
  static StdioBuf out_buf(&stdout), err_buf(&stderr);
  std::cout.rdbuf(&out_buf);
  std::cerr.rdbuf(&err_buf);
}

}  // namespace vfiokit::cli

namespace vfiokit::cli {

void write_raw(FILE* stream, std::string_view bytes) {
  Sink* sink = stream == stdout ? g_sinks[STDOUT_FILENO] : stream == stderr ? g_sinks[STDERR_FILENO] : nullptr;
  std::fflush(stream);
  if (sink) sink->raw = true;
  std::fwrite(bytes.data(), 1, bytes.size(), stream);
  std::fflush(stream);
  if (sink) sink->raw = false;
}

bool output_closed() {
  std::fflush(stdout);
  return g_sinks[STDOUT_FILENO] && g_sinks[STDOUT_FILENO]->closed;
}

}  // namespace vfiokit::cli
