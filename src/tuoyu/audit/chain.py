"""Per-shard audit chains: which chain an event joins, appending to it, and proving the
chains intact ([house] point 6).

- `shard_for`: the institution for institution-owned records, otherwise the acting user's
  department, township or institution, otherwise `district`.
- `append`: locks only that chain's head row, so writes in two institutions never wait for
  each other (the old design locked one platform-wide head row until commit).
- `verify`: recomputes every keyed hash in (chain, seq) order and compares each chain with
  its head: a gap, an edited row (even with hashes recomputed without the key), a deleted
  tail, an emptied table, a head pointing at nothing or a chain without a head all show.
- `digest` / `verify_against`: the heads written to a JSON file the operator keeps
  elsewhere; later, each chain must still hold that seq with that hash. That also catches
  what the database alone cannot: a tail deleted together with its head rewound, or a whole
  chain removed with its head.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from tuoyu.audit.models import (
    CHAIN_MAX_LENGTH,
    DISTRICT_CHAIN,
    GENESIS_HASH,
    LEGACY_CHAIN,
    AuditChainHead,
    AuditEvent,
    audit_key,
)

DIGEST_FORMAT = "tuoyu-audit-digest/1"
_CHAIN_NAME = re.compile(r"^[A-Za-z0-9_.:-]+$")


# ---- which chain --------------------------------------------------------------------------
def shard_for(*, obj: Any = None, actor: Any = None) -> str:
    """The chain an event about `obj` by `actor` joins. Duck-typed: audit imports no app."""
    if obj is not None:
        meta = getattr(obj, "_meta", None)
        if meta is not None and meta.label_lower == "institutions.institution" and obj.pk:
            return f"institution:{obj.pk}"
        institution_id = getattr(obj, "institution_id", None)
        if institution_id is not None:
            return f"institution:{institution_id}"
    if actor is not None and getattr(actor, "is_authenticated", False):
        kind = getattr(actor, "scope_kind", "")
        if kind == "department" and getattr(actor, "department_id", None):
            return f"department:{actor.department.code}"
        if kind == "township" and getattr(actor, "township_id", None):
            return f"township:{actor.township.code}"
        if kind == "institution" and getattr(actor, "institution_id", None):
            return f"institution:{actor.institution_id}"
    return DISTRICT_CHAIN


def check_chain_name(chain: str) -> str:
    if (
        not isinstance(chain, str)
        or not chain
        or len(chain) > CHAIN_MAX_LENGTH
        or not _CHAIN_NAME.match(chain)
    ):
        raise ValueError(f"审计链名称无效：{chain!r}")
    if chain == LEGACY_CHAIN:
        raise ValueError("历史审计链（legacy）已冻结，不能再追加事件")
    return chain


# ---- appending ----------------------------------------------------------------------------
def _locked_head(chain: str) -> AuditChainHead:
    """The chain's head row, locked until commit; created on the chain's first event.

    A new chain (every new institution starts one) costs two statements, not five
    ([scale] #10 point 7): `INSERT … ON CONFLICT DO NOTHING RETURNING` (PostgreSQL, and
    SQLite ≥ 3.35) creates the head, locked by this transaction, without a savepoint.
    Race-safe: a second first writer's INSERT waits on the unique key until the first
    commits, then does nothing and returns no row, and the writer locks the committed row."""
    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is not None:
        return head
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (chain, last_seq, last_hash) VALUES (%s, 0, %s) "
            "ON CONFLICT (chain) DO NOTHING RETURNING chain",
            [chain, GENESIS_HASH],
        )
        created = cursor.fetchone() is not None
    if created:
        return AuditChainHead(chain=chain, last_seq=0, last_hash=GENESIS_HASH)
    return AuditChainHead.objects.select_for_update().get(chain=chain)


def append(event: AuditEvent, *, chain: str) -> AuditEvent:
    """Link `event` (unsaved, every content field set) to the end of `chain` and save it.
    Call inside a transaction: the head stays locked until it ends."""
    check_chain_name(chain)
    head = _locked_head(chain)
    event.chain = chain
    event.seq = head.last_seq + 1
    event.prev_hash = head.last_hash
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    AuditChainHead.objects.filter(chain=chain).update(last_seq=event.seq, last_hash=event.hash)
    return event


# ---- verifying ----------------------------------------------------------------------------
@dataclass
class ChainProblem:
    chain: str
    seq: int | None
    what: str

    def __str__(self) -> str:
        where = f"序号 {self.seq} " if self.seq is not None else "链头"
        return f"审计链 {self.chain} 在{where}处断裂：{self.what}"


@dataclass
class ChainState:
    """A verified chain: its last seq and hash and how many events it holds."""

    chain: str
    last_seq: int
    last_hash: str
    count: int


@dataclass
class ChainReport:
    """`ok`, how many events were `checked` intact, and where the first break is
    (`broken_chain`, `broken_seq`, `reason`); `problems` lists every broken chain."""

    checked: int
    ok: bool
    broken_seq: int | None = None
    reason: str = ""
    broken_chain: str | None = None
    problems: list[ChainProblem] = field(default_factory=list)
    chains: dict[str, ChainState] = field(default_factory=dict)

    def add(self, problem: ChainProblem) -> None:
        if not self.problems:
            self.broken_chain = problem.chain
            self.broken_seq = problem.seq
            self.reason = f"链 {problem.chain}：{problem.what}"
        self.ok = False
        self.problems.append(problem)


class _ChainWalk:
    """Walks one chain's events in seq order; stops at the first broken link."""

    def __init__(self, chain: str, key: bytes):
        self.chain = chain
        self.key = key
        self.expected_seq = 1
        self.last_hash = GENESIS_HASH
        self.count = 0
        self.problem: ChainProblem | None = None

    def step(self, event: AuditEvent) -> bool:
        if self.problem is not None:
            return False
        if event.seq != self.expected_seq:
            if event.seq > self.expected_seq:
                what = f"缺少序号 {self.expected_seq} 的事件"
            else:
                what = f"序号 {event.seq} 重复或乱序"
            self.problem = ChainProblem(self.chain, self.expected_seq, what)
        elif event.prev_hash != self.last_hash:
            self.problem = ChainProblem(self.chain, event.seq, "前序哈希与上一事件不符")
        elif not hmac.compare_digest(event.compute_hash(self.key), event.hash):
            self.problem = ChainProblem(
                self.chain,
                event.seq,
                "事件内容与其哈希不符（已被篡改，或哈希不是用审计密钥计算的）",
            )
        if self.problem is not None:
            return False
        self.expected_seq += 1
        self.last_hash = event.hash
        self.count += 1
        return True

    def finish(self, head: AuditChainHead | None) -> ChainProblem | None:
        if self.problem is not None:
            return self.problem
        last_seq = self.expected_seq - 1
        if head is None:
            return ChainProblem(
                self.chain, None, f"有 {self.count} 条事件，但没有链头（链头已被删除）"
            )
        if head.last_seq > last_seq:
            if last_seq == 0:
                what = f"链头指向序号 {head.last_seq}，但该链没有任何事件（事件已被清空）"
            else:
                what = (
                    f"链头指向序号 {head.last_seq}，但链上最后一条是序号 {last_seq}"
                    "（最新的事件已被删除）"
                )
            return ChainProblem(self.chain, last_seq + 1, what)
        if head.last_seq < last_seq:
            return ChainProblem(
                self.chain,
                head.last_seq + 1,
                f"链上有序号 {last_seq} 的事件，但链头只到序号 {head.last_seq}（链头被回退）",
            )
        if not hmac.compare_digest(head.last_hash, self.last_hash):
            return ChainProblem(self.chain, last_seq, "链头哈希与链上最后一条事件不符")
        return None


@contextmanager
def _snapshot() -> Iterator[None]:
    """Heads and events read from one snapshot, so that events appended while verifying
    are not taken for a rewound head or a deleted tail. Inside a caller's transaction its
    snapshot is used as is."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _heads() -> dict[str, AuditChainHead]:
    return {h.chain: h for h in AuditChainHead.objects.all()}


def verify(*, batch_size: int = 5000) -> ChainReport:
    """Verify every chain against its head in one pass over the (chain, seq) index."""
    with _snapshot():
        return _verify(batch_size)


def _verify(batch_size: int) -> ChainReport:
    key = audit_key()
    heads = _heads()
    report = ChainReport(checked=0, ok=True)
    problems: list[ChainProblem] = []
    walk: _ChainWalk | None = None

    def close(w: _ChainWalk) -> None:
        problem = w.finish(heads.pop(w.chain, None))
        if problem is not None:
            problems.append(problem)
        else:
            report.chains[w.chain] = ChainState(w.chain, w.expected_seq - 1, w.last_hash, w.count)

    for event in AuditEvent.objects.order_by("chain", "seq").iterator(chunk_size=batch_size):
        if walk is None or event.chain != walk.chain:
            if walk is not None:
                close(walk)
            walk = _ChainWalk(event.chain, key)
        if walk.step(event):
            report.checked += 1
    if walk is not None:
        close(walk)
    # Heads left over have no event at all: an emptied chain, unless the head is at 0.
    for chain in list(heads):
        close(_ChainWalk(chain, key))
    for problem in sorted(problems, key=lambda p: p.chain):
        report.add(problem)
    return report


# ---- digests ------------------------------------------------------------------------------
def digest(report: ChainReport) -> dict:
    """The heads of a verified report, to be kept outside the database."""
    if not report.ok:
        raise ValueError("审计链未通过校验，不能生成摘要")
    return {
        "format": DIGEST_FORMAT,
        "generated_at": timezone.now().isoformat(),
        "chains": [
            {"chain": s.chain, "last_seq": s.last_seq, "last_hash": s.last_hash, "count": s.count}
            for s in sorted(report.chains.values(), key=lambda s: s.chain)
        ],
    }


def verify_against(saved: dict, *, report: ChainReport | None = None) -> list[ChainProblem]:
    """Problems proving history older than the digest `saved` was rewritten or removed:
    every chain it names must still contain that seq with that hash, its head at or beyond."""
    if not isinstance(saved, dict) or saved.get("format") != DIGEST_FORMAT:
        raise ValueError("不是审计链摘要文件（format 不符）")
    entries: Iterable[dict] = saved.get("chains") or []
    heads = {h.chain: h for h in AuditChainHead.objects.all()}
    problems: list[ChainProblem] = []
    for entry in entries:
        chain, seq, expected = entry["chain"], int(entry["last_seq"]), entry["last_hash"]
        head = heads.get(chain)
        if head is None:
            problems.append(
                ChainProblem(chain, None, f"摘要记录到序号 {seq}，但该链的链头已不存在")
            )
            continue
        if head.last_seq < seq:
            problems.append(
                ChainProblem(
                    chain, None, f"链头在序号 {head.last_seq}，落后于摘要记录的序号 {seq}（已回退）"
                )
            )
        if seq == 0:
            continue
        stored = (
            AuditEvent.objects.filter(chain=chain, seq=seq).values_list("hash", flat=True).first()
        )
        if stored is None:
            problems.append(ChainProblem(chain, seq, "摘要记录的事件已不存在"))
        elif not hmac.compare_digest(stored, expected):
            problems.append(ChainProblem(chain, seq, "事件哈希与摘要不符（此前的历史已被改写）"))
    if report is not None:
        for problem in problems:
            report.add(problem)
    return problems
