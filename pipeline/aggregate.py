"""Merging a deal's items across calls.

The same promise is often repeated ("I'll send the SOC 2 report" in the demo
and again at the close). Items of one kind whose statements mean the same are
merged: the latest call's wording wins, every quote is kept as evidence. An
AE's decision is never spread or lost: a statement they confirmed or edited
heads its group (their wording), and rejected statements stay apart as one
rejected item, so a repeat in a later call comes back as a suggestion beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from extractors.nlp import sentence_encoder
from models import Item, ItemKind, ItemState

# Cosine above which two statements of one kind are the same item.
SAME_ITEM = 0.86
_STATE_RANK = {ItemState.REJECTED: 3, ItemState.EDITED: 2, ItemState.CONFIRMED: 1,
               ItemState.SUGGESTED: 0}


@dataclass
class MergedItem:
    item_id: str
    state: ItemState
    item: Item
    merged_ids: list[str] = field(default_factory=list)


def _person_key(item: Item) -> str | None:
    name = (item.attributes.get("name") or "").strip().lower()
    return name.split()[0] if name else None


def _title_key(item: Item) -> str | None:
    title = (item.attributes.get("title") or "").strip().lower()
    return title or None


def _same_person(a: Item, b: Item, similarity: float) -> bool:
    """Same first name; where one mention has no name ("our CFO"), the same
    title or the same statement; two different names are never one person."""
    ka, kb = _person_key(a), _person_key(b)
    if ka and kb:
        return ka == kb
    return (bool(_title_key(a)) and _title_key(a) == _title_key(b)) or similarity >= SAME_ITEM


def _statements(vecs: np.ndarray) -> list[list[int]]:
    """Greedy clusters of statements that mean the same (first member is the head)."""
    clusters: list[list[int]] = []
    for i in range(len(vecs)):
        for cluster in clusters:
            if float(np.dot(vecs[i], vecs[cluster[0]])) >= SAME_ITEM:
                cluster.append(i)
                break
        else:
            clusters.append([i])
    return clusters


def _people(items: list[Item], vecs: np.ndarray) -> list[list[int]]:
    """Clusters of mentions of one person: named mentions by first name, then
    each unnamed mention ("our CFO") joins the person with that title or the
    same statement; two different names never join."""
    clusters: list[list[int]] = []
    for i, item in enumerate(items):
        key = _person_key(item)
        if key is None:
            continue
        target = next((c for c in clusters if _person_key(items[c[0]]) == key), None)
        if target is None:
            clusters.append([i])
        else:
            target.append(i)
    for i, item in enumerate(items):
        if _person_key(item) is not None:
            continue
        target = next((c for c in clusters if any(
            _same_person(item, items[j], float(np.dot(vecs[i], vecs[j]))) for j in c)), None)
        if target is None:
            clusters.append([i])
        else:
            target.append(i)
    for cluster in clusters:
        cluster.sort()  # latest call first, as the group is sorted
    return clusters


def merge_items(rows: list[tuple[str, str, Item]], call_order: dict[str, int],
                encoder: str) -> list[MergedItem]:
    """Merge duplicates within each kind; `call_order` ranks recordings by date."""
    merged: list[MergedItem] = []
    by_kind: dict[ItemKind, list[tuple[str, ItemState, Item]]] = {}
    for iid, state, item in rows:
        by_kind.setdefault(item.kind, []).append((iid, ItemState(state), item))
    for kind, group in by_kind.items():
        # Latest call first, so its wording becomes the merged statement.
        group.sort(key=lambda r: (-call_order.get(r[2].primary.recording_id, 0), r[2].primary.start))
        vecs = sentence_encoder(encoder).encode([g[2].text for g in group], normalize_embeddings=True)
        items = [g[2] for g in group]
        clusters = _people(items, vecs) if kind is ItemKind.STAKEHOLDER else _statements(vecs)
        for cluster in clusters:
            for members in _by_review([group[i] for i in cluster]):
                merged.append(_merge(kind, members))
    return merged


def _by_review(members: list[tuple[str, ItemState, Item]]) -> list[list[tuple[str, ItemState, Item]]]:
    """Split a cluster so that an AE's decision is neither spread nor lost.

    Rejected statements stay one rejected item; the rest merge under the
    statement the AE confirmed or edited, if any (their wording, not a later
    suggestion's), else under the latest call's."""
    rejected = [m for m in members if m[1] is ItemState.REJECTED]
    live = [m for m in members if m[1] is not ItemState.REJECTED]
    reviewed = [m for m in live if m[1] in (ItemState.EDITED, ItemState.CONFIRMED)]
    if reviewed:
        head = max(reviewed, key=lambda m: _STATE_RANK[m[1]])
        live = [head] + [m for m in live if m is not head]
    return [part for part in (live, rejected) if part]


def _merge(kind: ItemKind, members: list[tuple[str, ItemState, Item]]) -> MergedItem:
    """One item from a group of statements; the first is the head."""
    head_id, _, head = members[0]
    item = head.model_copy(deep=True)
    suggested = members[0][1] is ItemState.SUGGESTED  # an AE's wording and values are kept as written
    for _, _, other in members[1:]:
        item.evidence.extend(other.evidence)
        for key, value in other.attributes.items():
            if suggested and item.attributes.get(key) in (None, "") and value not in (None, ""):
                item.attributes[key] = value  # an older call may name what a later one leaves out
    if kind is ItemKind.STAKEHOLDER and suggested:
        names = [m[2].attributes.get("name") for m in members if m[2].attributes.get("name")]
        if names:  # the fullest name said in any call
            item.attributes["name"] = max(names, key=len)
    item.confidence = max(m[2].confidence for m in members)
    # The head carries the group's state: rejected, the AE's edit or confirmation, or suggested.
    return MergedItem(head_id, members[0][1], item, [m[0] for m in members])
