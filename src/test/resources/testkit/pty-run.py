#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal of a given size, for tests that drive `kubectl exec -it`.

usage: pty-run.py ROWS COLS RESIZE_FIFO -- COMMAND [ARG...]

Our stdin goes to the terminal, the terminal's output to our stdout. Each line "ROWS COLS" written to
RESIZE_FIFO resizes the terminal; the kernel then signals SIGWINCH to the command, as a terminal
emulator would. Exits with the command's exit code.
"""
import fcntl
import os
import pty
import select
import struct
import sys
import termios


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    rows, cols, fifo = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    command = sys.argv[sys.argv.index("--") + 1:]
    pid, master = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    set_size(master, rows, cols)
    # Opened read-write so that the FIFO never reports end-of-file while no writer is connected.
    resize = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    stdin = sys.stdin.fileno()
    readers = [master, stdin, resize]
    pending = b""
    while True:
        ready, _, _ = select.select(readers, [], [])
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b""
            if not data:
                break
            os.write(sys.stdout.fileno(), data)
        if stdin in ready:
            data = os.read(stdin, 65536)
            if data:
                os.write(master, data)
            else:
                readers.remove(stdin)
        if resize in ready:
            pending += os.read(resize, 1024)
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                new_rows, new_cols = (int(x) for x in line.split())
                set_size(master, new_rows, new_cols)
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()
