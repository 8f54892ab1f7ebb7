"""The Ask page's conversation as a queue: every question is kept the moment it is sent, and answered one at a
time, in order, each against the conversation that includes the answers before it.

Streamlit stops a script run when the next input arrives and starts a new one, so an
answer composed inside a run was lost with it, and a question sent meanwhile was
answered against nothing. Here the question goes into session state from the chat
input's callback (before any run can stop), and its answer is composed by a worker
thread no rerun interrupts; each run only shows how far the worker got.

With fast reruns (Streamlit's default) the new run starts on a new thread while the
stopped one may still be finishing its last lines, so two runs can reach the same
question at once. Starting its job (`claim`) and putting its answer in place
(`settle`) therefore happen under the conversation's lock, and each happens once: a
run that comes second finds the job already started, or the question already answered.

>>> messages = []
>>> submit(messages, "What does CC6.1 require?", tenant=None)["pending"]
True
>>> next_pending(messages)["content"]
'What does CC6.1 require?'
"""

from __future__ import annotations

import contextvars
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from bot import logs
from bot.engine import Assistant
from bot.models import Answer, Turn

_workers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="trustdesk-ask")


@dataclass
class Job:
    """One question being answered: the text streamed so far, and the Answer (or the failure) at the end."""

    entry: str
    future: Future
    deltas: list[str] = field(default_factory=list)
    answer: Answer | None = None
    request_id: str | None = None  # the log lines' request id: a failure shown later names it as its reference

    @property
    def text(self) -> str:
        return "".join(self.deltas)


def submit(messages: list[dict], question: str, *, tenant: str | None) -> dict:
    """Keep the question at the end of the conversation, waiting for its answer."""
    entry = {"role": "user", "content": question, "id": "q-" + uuid.uuid4().hex[:12], "tenant": tenant,
             "pending": True}
    messages.append(entry)
    return entry


def next_pending(messages: list[dict]) -> dict | None:
    """The oldest question still waiting: the one to answer now."""
    return next((m for m in messages if m.get("pending")), None)


def history(messages: list[dict], entry: dict) -> list[Turn]:
    """The answered turns before `entry`, with the engine's meta, so follow-ups never re-read answer text."""
    turns = []
    for message in messages:
        if message is entry:
            break
        if not message.get("pending"):
            turns.append(Turn(role=message["role"], content=message["content"], meta=message.get("meta")))
    return turns


def start(engine: Callable[[], Assistant], messages: list[dict], entry: dict) -> Job:
    """Answer `entry` on a worker thread, in a copy of this context (the request id goes along); the worker
    gets the engine from `engine` (loading it, on a cold server)."""
    job = Job(entry=entry["id"], future=Future(), request_id=logs.current())
    turns = history(messages, entry)
    run = contextvars.copy_context().run
    job.future = _workers.submit(run, _answer, engine, entry["content"], turns, entry.get("tenant"), job)
    return job


def _answer(engine: Callable[[], Assistant], question: str, turns: list[Turn], tenant: str | None,
            job: Job) -> Answer:
    for item in engine().stream(question, turns, tenant=tenant):
        if isinstance(item, Answer):
            job.answer = item
        else:
            job.deltas.append(item)
    if job.answer is None:
        raise RuntimeError("the engine's stream ended without an Answer")
    return job.answer


def claim(engine: Callable[[], Assistant], messages: list[dict], jobs: dict[str, Job], entry: dict,
          lock: threading.Lock) -> Job | None:
    """The job answering `entry`, started by whichever run comes first; None once `entry` is answered (a run that
    overlapped the one that answered it has nothing left to do)."""
    with lock:
        if not entry.get("pending"):
            return None
        if entry["id"] not in jobs:
            jobs[entry["id"]] = start(engine, messages, entry)
        return jobs[entry["id"]]


def settle(messages: list[dict], jobs: dict[str, Job], job: Job, lock: threading.Lock) -> None:
    """Put the finished job's answer after its question, once, however many runs were waiting for it."""
    with lock:
        finish(messages, job.entry, job.answer)
        jobs.pop(job.entry, None)


def finish(messages: list[dict], entry_id: str, answer: Answer) -> None:
    """The answer goes right after its question, which stops waiting (unless the conversation was cleared, or the
    question is answered already)."""
    for n, message in enumerate(messages):
        if message.get("id") == entry_id:
            if not message.get("pending"):
                return
            message["pending"] = False
            messages.insert(n + 1, {"role": "assistant", "content": answer.text,
                                    "answer": answer.model_dump(mode="json"), "meta": answer.meta.model_dump(),
                                    "passages": answer.passages(), "question": message["content"]})
            return


def drop(messages: list[dict], entry_id: str) -> None:
    """A question the engine would not take (empty, too long): not kept in the conversation."""
    messages[:] = [m for m in messages if m.get("id") != entry_id]
