"""What a process gives up before it runs queries from strangers: IP sockets, and memory past a limit.

`deny_network` installs a seccomp filter (Linux, x86-64 and AArch64) on every thread of the process and
on every thread and child it starts later: creating an IPv4, IPv6, packet or netlink socket, and setting
up io_uring (which could open one around the filter), fail with EACCES. Unix sockets and the pipes the
process already holds keep working. pyoxigraph is built with an HTTP client for SERVICE and offers no
way to turn it off, nor its query algebra to inspect; under this filter that client cannot connect
anywhere, whatever text the parser accepted.

`run` calls a function on a thread with a large stack: Oxigraph's parser and evaluator recurse once per
nesting and per link of a chain (`1+1+…`, `{}UNION{}…`), and 8,000 links overflow the 8 MiB of a main
thread; with 256 MiB, the 50,000 tokens `sparql_text.screen` lets through use at most a tenth of it.
"""

import ctypes
import errno
import os
import platform
import resource
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor

STACK = 256 << 20

_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_SYSCALLS = {  # socket, io_uring_setup, seccomp
    "x86_64": (41, 425, 317),
    "aarch64": (198, 425, 277),
}
_ALLOWED_FAMILIES = (1,)  # AF_UNIX


class _Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


_LD_ABS_W, _JEQ_K, _RET_K = 0x20, 0x15, 0x06
_ALLOW, _DENY, _KILL = 0x7FFF0000, 0x00050000 | errno.EACCES, 0x80000000
_NR, _ARCH, _ARG0 = 0, 4, 16  # offsets in struct seccomp_data (the low word of args[0], little-endian)


def _program(machine: str) -> list[_Filter]:
    nr_socket, nr_io_uring, _ = _SYSCALLS[machine]
    count = len(_ALLOWED_FAMILIES)
    allow_unix = [_Filter(_JEQ_K, count - i + 2, 0, family)  # to the last instruction, ALLOW
                  for i, family in enumerate(_ALLOWED_FAMILIES)]
    return [
        _Filter(_LD_ABS_W, 0, 0, _ARCH),
        _Filter(_JEQ_K, 1, 0, _AUDIT_ARCH[machine]),
        _Filter(_RET_K, 0, 0, _KILL),  # a system call of another ABI: refuse to guess
        _Filter(_LD_ABS_W, 0, 0, _NR),
        _Filter(_JEQ_K, 0, 2 + len(allow_unix), nr_socket),
        _Filter(_LD_ABS_W, 0, 0, _ARG0),
        *allow_unix,
        _Filter(_RET_K, 0, 0, _DENY),  # a socket of any family but Unix
        _Filter(_JEQ_K, 0, 1, nr_io_uring),
        _Filter(_RET_K, 0, 0, _DENY),
        _Filter(_RET_K, 0, 0, _ALLOW),
    ]


def deny_network() -> str | None:
    """Forbid IP sockets to this process from now on; None on success, else why it could not."""
    machine = platform.machine()
    if platform.system() != "Linux" or machine not in _SYSCALLS:
        return f"no seccomp filter for {platform.system()} {machine}"
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS, required to install a filter unprivileged
        return f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}"
    instructions = _program(machine)
    array = (_Filter * len(instructions))(*instructions)
    program = _Program(len(instructions), array)
    # seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC): every thread, not only this one
    if libc.syscall(_SYSCALLS[machine][2], 1, 1, ctypes.byref(program)) != 0:
        return f"seccomp failed: {os.strerror(ctypes.get_errno())}"
    return None


def limit_memory(extra: int) -> None:
    """Let this process's address space grow by at most `extra` bytes from its present size: past it, an
    allocation fails (Oxigraph then aborts the process, which its server replaces)."""
    with open("/proc/self/statm") as statm:
        size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (size + extra, size + extra))


def run(function, *args):
    """`function(*args)` on a fresh thread with a `STACK`-byte stack; its exception is raised here."""
    outcome: list = []

    def call():
        try:
            outcome.append((True, function(*args)))
        except BaseException as error:  # handed to the caller, who decides
            # the frames' locals are cleared here: Oxigraph's objects may only be dropped by their thread
            seen = error
            while seen is not None:
                traceback.clear_frames(seen.__traceback__)
                seen = seen.__context__ or seen.__cause__
            outcome.append((False, error))

    with _STACK_SIZE_LOCK:
        previous = threading.stack_size(STACK)
        try:
            thread = threading.Thread(target=call, name="tvetkg-query")
            thread.start()
        finally:
            threading.stack_size(previous)
    thread.join()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


class LargeStackExecutor(ThreadPoolExecutor):
    """A thread pool whose threads have `STACK`-byte stacks, for queries run on every core."""

    def _adjust_thread_count(self):  # where ThreadPoolExecutor starts its threads
        with _STACK_SIZE_LOCK:
            previous = threading.stack_size(STACK)
            try:
                super()._adjust_thread_count()
            finally:
                threading.stack_size(previous)


_STACK_SIZE_LOCK = threading.Lock()
