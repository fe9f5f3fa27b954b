// SPDX-License-Identifier: Apache-2.0
#include "vfiokit/deviceplugin/events/uevent_socket.hpp"

#include <errno.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <array>

#include "vfiokit/deviceplugin/events/uevent_message.hpp"

namespace vfiokit::deviceplugin {

namespace {
constexpr int kKernelGroup = 1;  // lib/kobject_uevent.c broadcasts to group 1
// Room for a burst (a group of functions unbinding at once) while the
// loop is busy; the kernel caps an unprivileged SO_RCVBUF, so root's
// SO_RCVBUFFORCE is tried first.
constexpr int kReceiveBuffer = 4 << 20;
}  // namespace

Result<std::unique_ptr<UeventSocket>> UeventSocket::open() {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT));
  if (!fd.valid()) return fail(Error::from_errno(errno, "uevent socket", "cannot open NETLINK_KOBJECT_UEVENT"));
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof kReceiveBuffer) != 0)
    (void)::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = kKernelGroup;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    return fail(Error::from_errno(errno, "uevent socket", "cannot join the kernel's uevent group"));
  return std::unique_ptr<UeventSocket>(new UeventSocket(std::move(fd)));
}

Result<PendingChanges> UeventSocket::drain() {
  PendingChanges out;
  // A uevent is at most UEVENT_BUFFER_SIZE (2048) bytes; a longer
  // datagram is not the kernel's and is dropped truncated (MSG_TRUNC).
  std::array<char, 8192> buffer;
  for (;;) {
    sockaddr_nl from{};
    iovec iov{buffer.data(), buffer.size()};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    const ssize_t n = ::recvmsg(fd_.get(), &msg, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return out;
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {
        out.health = out.devices = true;
        continue;
      }
      return fail(Error::from_errno(errno, "uevent socket", "receive failed"));
    }
    if (from.nl_pid != 0 || (msg.msg_flags & MSG_TRUNC)) continue;
    auto event = parse_uevent(std::string_view(buffer.data(), static_cast<size_t>(n)));
    if (!event) continue;
    if (matters_for_health(*event)) out.health = true;
    if (changes_devices(*event)) out.devices = true;
  }
}

}  // namespace vfiokit::deviceplugin
