"""The feedback log on a full disk, and one record per answer shown (issue 15, items 5 and 7).

The attack session replayed the private like event (653 records in 10 s from one thread), and a nearly full
disk cut a record in two: the like was reported as saved, the next record was glued onto the fragment, and
``FeedbackLog.read()`` then failed with ``UnicodeDecodeError``.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from reformqa.project import Project
from reformqa.web.feedback import FEEDBACK_FILE, Feedback, FeedbackLog
from reformqa.web.handlers import ChatService, Session

REPO = Path(__file__).resolve().parent.parent


def _record(question: str = "合肥都市圈的成果所有权比例是多少？") -> Feedback:
    return Feedback(True, question, question, True, ("hefei-02",), {"corpus_hash": "h", "embedder": "e"})


def _disk_fills(monkeypatch: pytest.MonkeyPatch, room: int) -> None:
    """os.write as on a disk with ``room`` bytes left: a short write, then ENOSPC."""
    real_write, left = os.write, [room]

    def write(fd: int, data: bytes) -> int:
        if left[0] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        done = real_write(fd, bytes(data)[: left[0]])
        left[0] -= done
        return done

    monkeypatch.setattr(os, "write", write)


def test_a_partial_write_is_detected_undone_and_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    log = FeedbackLog(tmp_path)
    log.append(_record("第一条"))
    before = log.path.read_bytes()
    _disk_fills(monkeypatch, 40)  # the record is cut inside a character
    with pytest.raises(OSError):
        log.append(_record("第二条，写到一半磁盘满了"))
    monkeypatch.undo()
    assert log.path.read_bytes() == before  # the fragment is gone
    log.append(_record("第三条"))
    assert [r["question"] for r in log.read()] == ["第一条", "第三条"]


def test_a_like_on_a_full_disk_is_not_reported_as_saved(project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    service = ChatService(project, FeedbackLog(tmp_path))
    reply = service.ask("寿县属于哪个试点？", Session())
    _disk_fills(monkeypatch, 10)
    assert service.like(reply.session, 1, True) == ""
    monkeypatch.undo()
    assert service.feedback.read() == [] and service.feedback.damaged == 0


def test_reading_repairs_what_an_older_writer_left(tmp_path: Path):
    """A fragment cut inside a character, a record glued onto it, then good records: every whole record comes back."""
    log = FeedbackLog(tmp_path)
    first, glued, last = (FeedbackLog.line(_record(q)) for q in ("第一条", "粘在碎片后面的一条", "最后一条"))
    cut = FeedbackLog.line(_record("写了一半的记录"))
    fragment = cut[: cut.index("写".encode()) + 4]  # ends inside a three-byte character
    log.path.write_bytes(first + fragment + glued + last)
    records = log.read()
    assert [r["question"] for r in records] == ["第一条", "粘在碎片后面的一条", "最后一条"]
    assert log.damaged == 1
    log.append(_record("修复后追加"))  # the log still ends with a whole line: nothing glued
    assert [r["question"] for r in log.read()][-1] == "修复后追加"


def test_an_append_after_a_fragment_starts_a_new_line(tmp_path: Path):
    log = FeedbackLog(tmp_path)
    log.path.write_bytes(FeedbackLog.line(_record("第一条")) + FeedbackLog.line(_record("断了"))[:30])
    log.append(_record("第二条"))
    assert [r["question"] for r in log.read()] == ["第一条", "第二条"]
    assert log.path.read_bytes().count(b"\n") == 3


def _can_mount_tmpfs() -> bool:
    if not shutil.which("unshare") or sys.platform != "linux":
        return False
    done = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"], capture_output=True, check=False)
    return done.returncode == 0


@pytest.mark.skipif(not _can_mount_tmpfs(), reason="needs a private mount namespace (unshare -m) to make a small, really full disk")
def test_on_a_really_full_disk_no_earlier_record_is_lost(tmp_path: Path):
    """A 64 KiB tmpfs, full: the kernel's own short write (the log's last page), or ENOSPC."""
    disk = tmp_path / "disk"
    disk.mkdir()
    script = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {str(REPO / "src")!r})
        from reformqa.web.feedback import Feedback, FeedbackLog
        log = FeedbackLog({str(disk / "feedback")!r})
        record = lambda q: Feedback(True, q, q, True, ("hefei-02",), {{"corpus_hash": "h", "embedder": "e"}})
        log.append(record("磁盘满之前的记录"))
        with open({str(disk / "filler")!r}, "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"x" * 4096)
            except OSError:
                pass
        try:
            log.append(record("这一条写不下" * 1000))  # 18 KB: more than the last page of the log holds
            print("saved")
        except OSError as exc:
            print("refused", exc.errno)
        os.unlink({str(disk / "filler")!r})
        log.append(record("腾出空间之后的记录"))
        print([r["question"] for r in log.read()])
        """
    )
    command = f"mount -t tmpfs -o size=64k tmpfs {disk} && exec {sys.executable} -c \"$0\""
    done = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", command, script], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("refused"), lines
    assert lines[1] == str(["磁盘满之前的记录", "腾出空间之后的记录"])


# -- 5. one record per answer shown -----------------------------------------------------------------


def test_feedback_is_recorded_once_per_answer_shown(project: Project, tmp_path: Path):
    service = ChatService(project, FeedbackLog(tmp_path))
    reply = service.ask("寿县属于哪个试点？", Session())
    times = [service.like(reply.session, 1, True) for _ in range(50)]  # the replayed event
    assert all(times) and len(set(times)) == 1  # every replay is told "thanks", none is written again
    assert service.like(reply.session, 1, False)  # a changed mind replaces the answer's line
    reply = service.ask("那合肥呢？", reply.session)
    assert service.like(reply.session, 3, False)
    assert service.reason(reply.session, "引文不对")  # a 👎's reason joins its line
    records = service.feedback.read()
    assert [r["question"] for r in records] == ["那合肥呢？", "寿县属于哪个试点？"] or [r["question"] for r in records] == ["寿县属于哪个试点？", "那合肥呢？"]
    by_question = {r["question"]: r for r in records}
    assert len(records) == 2 and by_question["寿县属于哪个试点？"]["liked"] is False
    assert by_question["那合肥呢？"]["reason"] == "引文不对" and by_question["那合肥呢？"]["liked"] is False


def test_a_replayed_like_through_the_web_is_one_record(project: Project, tmp_path: Path):
    httpx = pytest.importorskip("httpx")
    from test_security import Served, _queue
    from wire import free_port

    from reformqa.web import build_app, launch

    feedback = FeedbackLog(tmp_path / "feedback")
    demo = build_app(ChatService(project, feedback))
    port = free_port()
    url = launch(demo, port=port)
    try:
        served = Served(url, port, demo, feedback, project.settings.home)
        session = uuid.uuid4().hex
        _queue(served, "on_ask", ["寿县属于哪个试点？", None, "", "full", ""], session)
        for _ in range(30):
            _queue(served, "on_like", [None], session, event_data={"index": [1, 0], "value": "", "liked": True})
        assert len(feedback.read()) == 1
        assert httpx.get(url + "config").status_code == 200
    finally:
        demo.close()
    assert json.loads(feedback.path.read_text(encoding="utf-8").splitlines()[0])["question"] == "寿县属于哪个试点？"
    assert sorted(p.name for p in feedback.folder.iterdir()) == [FEEDBACK_FILE]
