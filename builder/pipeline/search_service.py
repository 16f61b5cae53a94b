"""Pagefind as a service: its pages fed in one fixed order, its bundle received in memory.

Pointed at a folder, Pagefind reads the pages in the order the file system lists them (so the
same site made a different index on ext4 and on tmpfs), and it writes its bundle itself, exiting
0 even when the disk was full and a file was cut short. Run as `pagefind --service` instead, it
is given each page over a pipe, sorted by path, and answers with every file of the bundle, each
whole (base64 that must decode), checked here before it goes to the output's own writer.

The protocol (Pagefind's service, as its Python package speaks it): each message is JSON,
base64-encoded, ended by a comma, both ways; Pagefind answers each in the order it was sent.
"""

from __future__ import annotations

import base64
import binascii
import json
import subprocess
import threading
from pathlib import Path
from typing import Iterable

from builder.errors import OutputError, Problem

ENTRY = "pagefind-entry.json"  # the bundle's table of contents: a bundle without it is no bundle


def failure(binary: Path, said: str) -> OutputError:
    """The one error of a Pagefind that did not make a whole index."""
    return OutputError(
        [
            Problem(
                str(binary),
                None,
                f"Pagefind failed to make the search index: {said}; the previous output is "
                "unchanged",
            )
        ]
    )


def run_pagefind(binary: Path, pages: Iterable[tuple[str, bytes]]) -> tuple[dict[str, bytes], str]:
    """Pagefind's bundle for `pages` (path in the site, bytes), given in that order: its files by
    their path in the bundle, and what it logged. Raises OutputError unless every file came whole.

    Pagefind says whether it found a marked element only in its log, which in service mode it
    writes only to a `logfile`: that is its own stderr, a pipe read here, not a file on a disk
    that may be full (a log cut short would have the pages indexed whole instead)."""
    requests = [{"type": "NewIndex", "config": {"logfile": "/dev/stderr"}}]
    requests += [
        {
            "type": "AddFile",
            "index_id": 0,
            "file_path": path,
            "url": None,
            "file_contents": data.decode("utf-8", "replace"),
        }
        for path, data in pages
    ]
    requests.append({"type": "GetFiles", "index_id": 0})
    answers, said = exchange(binary, requests)
    for answer in answers:
        if answer.get("type") == "Error":
            raise failure(binary, " ".join(str(answer.get("message", "")).split())[:500])
    return bundle_files(binary, answers[-1]), said


def exchange(binary: Path, requests: list[dict]) -> tuple[list[dict], str]:
    """Send every request to one `pagefind --service`; its answer to each, in order, and what it
    logged. It must be sent, answer and log at once (each pipe is read or written on its own
    thread, so none fills up and stops it), and it leaves once its input ends, answered or not:
    the input is closed only after the last answer."""
    try:
        with subprocess.Popen(
            [str(binary), "--service"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as service:
            log: list[bytes] = []
            sender = threading.Thread(target=send, args=(service.stdin, requests), daemon=True)
            logger = threading.Thread(target=lambda: log.extend(service.stderr or ()), daemon=True)
            sender.start()
            logger.start()
            try:
                answers = read_answers(service.stdout, len(requests))
            except (KeyError, TypeError, ValueError, binascii.Error):
                answers = []  # not Pagefind's service speaking: it failed
            service.kill()
            sender.join()
            try:  # the end of its input, for any process it left that still holds the pipe
                service.stdin.close()  # (what a stopped Pagefind did not read is dropped)
            except OSError:
                pass
            logger.join(timeout=10)  # such a process may hold its stderr a little longer
    except OSError as exc:
        raise OutputError(
            [
                Problem(
                    str(binary),
                    None,
                    f"cannot run Pagefind to make the search index: {exc.strerror or exc}; the "
                    "previous output is unchanged",
                )
            ]
        ) from None
    said = b"".join(log).decode("utf-8", "replace")
    if len(answers) < len(requests):
        raise failure(binary, " ".join(said.split())[-500:] or "it stopped before it answered")
    return answers, said


def send(stdin, requests: list[dict]) -> None:
    """Write the requests to the service's input, one message each (it reads them as they come)."""
    try:
        for number, request in enumerate(requests, start=1):
            message = json.dumps({"message_id": number, "payload": request})
            stdin.write(base64.b64encode(message.encode()) + b",")
        stdin.flush()
    except (BrokenPipeError, ValueError):
        pass  # it stopped, or was stopped after it answered: what it said is read elsewhere


def read_answers(stdout, count: int) -> list[dict]:
    """Up to `count` answers (their payloads, by message order) from the service's output."""
    answers: dict[int, dict] = {}
    pending: list[bytes] = []  # the start of a message not yet ended (an answer can be large)
    while len(answers) < count:
        chunk = stdout.read1(1 << 20)
        if not chunk:
            break
        *ended, rest = chunk.split(b",")
        for part in ended:
            answer = json.loads(base64.b64decode(b"".join([*pending, part]), validate=True))
            pending = []
            answers[answer.get("message_id") or 0] = answer["payload"]
        pending.append(rest)
    if 0 in answers:  # a message it could not read
        return [answers[0]]
    return [answers[n] for n in sorted(answers)]


def bundle_files(binary: Path, answer: dict) -> dict[str, bytes]:
    """The bundle's files from Pagefind's answer, each decoded whole, its table of contents read."""
    try:
        files = {
            str(f["path"]).replace("\\", "/"): base64.b64decode(f["content"], validate=True)
            for f in answer["files"]
        }
        entry = json.loads(files[ENTRY])
        for language in entry["languages"].values():  # each language's metadata is there
            assert f"pagefind.{language['hash']}.pf_meta" in files
    except (KeyError, TypeError, ValueError, AssertionError, binascii.Error):
        raise failure(binary, "its answer did not hold a whole bundle") from None
    return dict(sorted(files.items()))
