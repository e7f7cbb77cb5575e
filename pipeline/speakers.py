"""Who spoke when, and on which side of the deal.

Two jobs: split a mono recording's segments into speakers (clustering
per-segment voice features, with the number of speakers chosen by silhouette
score rather than assumed), and give every speaker a role (rep / customer)
from the deal metadata, from introductions, or from the channel layout.
"""

from __future__ import annotations

import re

import numpy as np

from models import Deal, Role, Segment, Transcript
from pipeline.audio import SAMPLE_RATE

# "this is Priya from Ledgerly", "I'm Dana, CFO at Northwind", "my name is Sam"
_INTRO = re.compile(
    r"\b(?:this is|i'm|i am|my name is|it's)\s+(?P<name>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)"
    r"(?:[^.?!]{0,40}?\b(?:from|at|with)\s+(?P<org>[A-Z][\w&]*(?:\s[A-Z][\w&]*){0,3}))?")
_NOT_NAMES = {"Good", "Great", "Sure", "Fine", "Here", "Just", "Really", "Happy", "Glad", "So",
              "Not", "All", "The", "Thanks", "Yeah", "Well", "Okay", "Actually"}
# Below this silhouette the voices are not separable: one speaker.
MIN_SILHOUETTE = 0.08
MAX_SPEAKERS = 4


def _voice_features(samples: np.ndarray, seg: Segment) -> np.ndarray | None:
    """Mean and spread of log-mel energies: a crude but offline voice print."""
    import torch
    from whisper.audio import log_mel_spectrogram

    a, b = int(seg.start * SAMPLE_RATE), int(seg.end * SAMPLE_RATE)
    if b - a < SAMPLE_RATE // 2:
        return None
    mel = log_mel_spectrogram(torch.from_numpy(np.ascontiguousarray(samples[a:b]))).numpy()
    voiced = mel[:, mel.mean(axis=0) > mel.mean()]  # frames louder than average: speech
    if voiced.shape[1] < 10:
        return None
    return np.concatenate([voiced.mean(axis=1), voiced.std(axis=1)])


def diarize(samples: np.ndarray, segments: list[Segment], prefix: str = "speaker") -> list[Segment]:
    """Label segments `<prefix> 1..k` by clustering their voice features (k estimated)."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import silhouette_score

    feats = [_voice_features(samples, s) for s in segments]
    index = [i for i, f in enumerate(feats) if f is not None]
    labels = np.zeros(len(segments), dtype=int)
    if len(index) >= 4:
        x = np.stack([feats[i] for i in index])
        x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-6)
        best, best_score = None, MIN_SILHOUETTE
        for k in range(2, min(MAX_SPEAKERS, len(index) - 1) + 1):
            guess = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(x)
            score = silhouette_score(x, guess)
            if score > best_score:
                best, best_score = guess, score
        if best is not None:
            labels[index] = best
            # Short segments without features join the speaker of the nearest neighbour.
            for i in range(len(segments)):
                if feats[i] is None:
                    near = min(index, key=lambda j: abs(j - i))
                    labels[i] = labels[near]
    # Number speakers in order of first appearance.
    order = {lab: n for n, lab in enumerate(dict.fromkeys(labels.tolist()), start=1)}
    for seg, lab in zip(segments, labels):
        seg.speaker = f"{prefix} {order[lab]}"
    return segments


def diarize_channels(audio: np.ndarray, segments: list[Segment]) -> list[Segment]:
    """Stereo calls: each channel is one side, but a side may have several voices."""
    for index, channel in enumerate(audio):
        own = [s for s in segments if s.channel == index]
        if own:
            diarize(channel, own, prefix=f"channel {index + 1} speaker")
    return segments


def _norm(name: str) -> str:
    return " ".join(name.lower().split())


def _matches(name: str, people: list[str]) -> bool:
    """Full-name or first-name match ("Priya" matches "Priya Shah")."""
    n = _norm(name)
    return any(n and (n == _norm(p) or n == _norm(p).split()[0] or _norm(p) == n.split()[0])
               for p in people if p.strip())


def introductions(segments: list[Segment]) -> dict[str, tuple[str, str | None]]:
    """Self-introduction per speaker label: label -> (name, organisation).

    A label whose segments introduce two different names is two people the
    clustering could not tell apart: it gets no name rather than a wrong one.
    """
    found: dict[str, list[tuple[str, str | None]]] = {}
    for seg in segments:
        match = _INTRO.search(seg.text)
        if match and match["name"].split()[0] not in _NOT_NAMES:
            found.setdefault(seg.speaker, []).append((match["name"], match["org"]))
    return {label: intros[0] for label, intros in found.items()
            if len({n.split()[0] for n, _ in intros}) == 1}


def vendor_from_email(email: str) -> str:
    """The seller's company from the AE's e-mail domain ("priya@relaywise.io" -> "relaywise")."""
    domain = email.rpartition("@")[2]
    return domain.split(".")[0] if domain and "." in domain else ""


def _mentions(segments: list[Segment], label: str, name: str) -> int:
    if not name:
        return 0
    pattern = re.compile(rf"\b{re.escape(name)}\b", re.I)
    return sum(bool(pattern.search(s.text)) for s in segments if s.speaker == label)


def assign_roles(transcript: Transcript, deal: Deal | None, rep_names: list[str],
                 vendor_name: str = "", channel_roles: tuple[Role, Role] = (Role.REP, Role.CUSTOMER)
                 ) -> Transcript:
    """Give each speaker a role, and a name where they introduced themselves.

    Evidence, strongest first: the channel of a stereo call; a speaker label or
    self-introduction naming one of the seller's people (the deal's AE and CSM,
    `rep_names`); an introduction "from <company>"; a speaker who names the
    seller's company (first person talk about the product). When only one side
    is known, everyone else is the other side; when nothing is known, the
    person who opens the call is taken as the host, which in a sales call is
    the rep.
    """
    reps = [*rep_names, *([deal.ae_name, deal.csm_name] if deal else [])]
    vendor_name = vendor_name or (vendor_from_email(deal.ae_email) if deal else "")
    account = _norm(deal.account) if deal else ""
    intros = introductions(transcript.segments)
    roles: dict[str, Role] = {}
    names: dict[str, str] = {}
    for seg in transcript.segments:
        label = seg.speaker
        if label in roles:
            continue
        if seg.channel is not None:
            roles[label] = channel_roles[min(seg.channel, 1)]
        elif _matches(label, reps):
            roles[label] = Role.REP
        if label in intros:
            name, org = intros[label]
            if label.startswith(("speaker ", "channel ", "unknown")):
                names[label] = name
            if label not in roles:
                if _matches(name, reps) or (org and vendor_name and _norm(org) in _norm(vendor_name)):
                    roles[label] = Role.REP
                elif org and account and (_norm(org) in account or account in _norm(org)):
                    roles[label] = Role.CUSTOMER
                elif org and account:  # from a company that is not the account: the seller
                    roles[label] = Role.REP
    labels = transcript.speakers()
    if not any(r is Role.REP for r in roles.values()) and vendor_name:
        talks_vendor = {lab: _mentions(transcript.segments, lab, vendor_name) for lab in labels
                        if lab not in roles}
        if talks_vendor and max(talks_vendor.values()) > 0:
            roles[max(talks_vendor, key=talks_vendor.get)] = Role.REP
    if any(r is Role.REP for r in roles.values()):
        # Once the seller's side is known, everyone else on the call is the customer's.
        for label in labels:
            roles.setdefault(label, Role.CUSTOMER)
    elif any(r is Role.CUSTOMER for r in roles.values()):
        for label in labels:
            roles.setdefault(label, Role.REP)
    elif labels and len(labels) > 1:
        roles[labels[0]] = Role.REP  # the host opens the call
        for label in labels[1:]:
            roles[label] = Role.CUSTOMER
    for seg in transcript.segments:
        seg.role = roles.get(seg.speaker, Role.UNKNOWN)
        seg.speaker = names.get(seg.speaker, seg.speaker)
    return transcript
