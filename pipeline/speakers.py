"""Who spoke when, and on which side of the deal.

Two jobs: split a recording's segments into speakers (clustering voice
embeddings of short windows from Resemblyzer's packaged speaker encoder, with
the number of speakers chosen by silhouette score rather than assumed), and
give every speaker a role (rep / customer)
from the deal metadata, from introductions, or from the channel layout.
"""

from __future__ import annotations

import functools
import re
import threading
import warnings
from collections.abc import Callable

import numpy as np

from models import Deal, Role, Segment, Transcript, Word
from pipeline.audio import SAMPLE_RATE

# "this is Priya from Ledgerly", "I'm Dana, CFO at Northwind", "my name is Sam"
_INTRO = re.compile(
    r"\b(?i:this is|i'm|i am|my name is|it's)\s+(?:(?:Dr|Mr|Mrs|Ms)\.?\s+)?(?P<name>[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)"
    r"(?:[^.?!]{0,40}?\b(?i:from|at|with)\s+(?P<org>[A-Z][\w&]*(?:\s[A-Z][\w&]*){0,3}))?")
_NOT_NAMES = {"Good", "Great", "Sure", "Fine", "Here", "Just", "Really", "Happy", "Glad", "So",
              "Not", "All", "The", "Thanks", "Yeah", "Well", "Okay", "Actually"}
# Below this silhouette the voices are not separable: one speaker.
MIN_SILHOUETTE = 0.1
MAX_SPEAKERS = 6
# Fewer voiced windows than this (60 s of speech) and the speaker count is chosen by silhouette:
# at 30 s the eigengap split a 35-s two-voice clip into three.
MIN_SPECTRAL_WINDOWS = 120
# Spectral clustering needs several N x N matrices and an eigendecomposition: an hour of speech
# (7,300 windows) took 75 s and 2.0 GB. Longer calls are clustered on this many windows spread
# evenly over the call, and every window then joins the nearest speaker: memory stays bounded.
MAX_CLUSTER_WINDOWS = 1500
# A cluster holding less than this share of the windows is not a speaker.
MIN_SHARE = 0.03
WINDOW_RATE = 2.0  # voice embeddings per second (each over 1.6 s)
# Voice embeddings are computed over blocks this long: the encoder batches every window of a
# block at once (+540 MB at 300 s, +270 MB at 60 s, measured), and a seam costs about one window.
BLOCK_SECONDS = 60.0


_ENCODER_LOCK = threading.Lock()


def _voice_encoder():
    """Resemblyzer's speaker encoder: its weights ship in the wheel (offline). Loaded once per
    process; the lock keeps two threads from loading (and importing) it at once."""
    with _ENCODER_LOCK:
        return _load_voice_encoder()


@functools.lru_cache(maxsize=1)
def _load_voice_encoder():
    from resemblyzer import VoiceEncoder

    return VoiceEncoder("cpu", verbose=False)


def window_embeddings(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(centre times in s, 256-d voice embeddings) of 1.6 s windows, WINDOW_RATE per second.

    Computed block by block so memory does not grow with the recording's length.
    """
    encoder = _voice_encoder()
    centres, embeds = [], []
    block = int(BLOCK_SECONDS * SAMPLE_RATE)
    for start in range(0, len(samples), block):
        piece = samples[start:start + block]
        if len(piece) < SAMPLE_RATE:  # a tail under a second: its words join the last window
            break
        _, partials, slices = encoder.embed_utterance(piece, return_partials=True, rate=WINDOW_RATE)
        for emb, sl in zip(partials, slices):
            centres.append((start + (sl.start + min(sl.stop, len(piece))) / 2) / SAMPLE_RATE)
            embeds.append(emb)
    return np.array(centres), np.array(embeds)


def cluster_voices(embeds: np.ndarray) -> np.ndarray:
    """Cluster labels; the number of speakers is estimated, not assumed.

    With enough speech (MIN_SPECTRAL_WINDOWS) the count comes from the eigengap of the pruned
    cosine-affinity graph, the pruning chosen as in NME-SC (Park et al., 2019): on the sample
    calls (3-4 voices) the silhouette score chose two speakers every time, the eigengap found
    the right count on 5 of 7. Spectral estimates on a few dozen windows are noise, so short
    recordings keep the silhouette choice. Windows are then split into that many speakers
    by spectral clustering on the same affinity.
    """
    labels = np.zeros(len(embeds), dtype=int)
    if len(embeds) < 6:
        return labels
    if len(embeds) < MIN_SPECTRAL_WINDOWS:
        return _silhouette_clusters(embeds)
    if len(embeds) > MAX_CLUSTER_WINDOWS:
        pick = np.linspace(0, len(embeds) - 1, MAX_CLUSTER_WINDOWS).round().astype(int)
        return nearest_speaker(embeds, embeds[pick], cluster_voices(embeds[pick]))
    from sklearn.cluster import SpectralClustering

    k, affinity = eigengap_speakers(embeds)
    while k > 1:
        with warnings.catch_warnings():  # a pruned graph may fall apart in pieces: that is fine here
            warnings.simplefilter("ignore", UserWarning)
            guess = SpectralClustering(n_clusters=k, affinity="precomputed", random_state=0,
                                       assign_labels="cluster_qr").fit_predict(affinity)
        if min(np.bincount(guess)) >= max(2, MIN_SHARE * len(embeds)):
            return guess
        k -= 1  # a "speaker" with a handful of windows is noise, not a person
    return labels


def nearest_speaker(embeds: np.ndarray, sample: np.ndarray, sample_labels: np.ndarray) -> np.ndarray:
    """Label of the nearest speaker centroid (cosine) for every window, in bounded pieces."""
    unit = sample / np.linalg.norm(sample, axis=1, keepdims=True)
    ids = np.unique(sample_labels)
    centroids = np.stack([unit[sample_labels == k].mean(axis=0) for k in ids])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    out = np.empty(len(embeds), dtype=int)
    for start in range(0, len(embeds), 4096):
        part = embeds[start:start + 4096]
        out[start:start + 4096] = ids[np.argmax(part @ centroids.T, axis=1)]
    return out


def eigengap_speakers(embeds: np.ndarray, max_k: int = MAX_SPEAKERS) -> tuple[int, np.ndarray]:
    """Speaker count from the Laplacian eigengap of a p-nearest-neighbour cosine affinity,
    with p chosen to maximise the normalised eigengap (NME-SC)."""
    from scipy.linalg import eigh

    unit = embeds / np.linalg.norm(embeds, axis=1, keepdims=True)
    sim = unit @ unit.T
    n = len(sim)
    best: tuple[float, int, np.ndarray] | None = None
    for share in (0.05, 0.1, 0.15, 0.2, 0.25):
        p = max(2, int(share * n))
        affinity = np.zeros_like(sim)
        nearest = np.argsort(-sim, axis=1)[:, :p]
        rows = np.arange(n)[:, None]
        affinity[rows, nearest] = sim[rows, nearest]
        affinity = np.maximum((affinity + affinity.T) / 2, 0)
        laplacian = np.diag(affinity.sum(1)) - affinity
        eigen = eigh(laplacian, eigvals_only=True, subset_by_index=[0, min(max_k, n - 1)])
        gaps = np.diff(eigen)[:max_k]
        ratio = (p / n) / (gaps.max() / (eigen[-1] + 1e-10) + 1e-10)
        if best is None or ratio < best[0]:
            best = (ratio, int(np.argmax(gaps)) + 1, affinity)
    return best[1], best[2]


def _silhouette_clusters(embeds: np.ndarray) -> np.ndarray:
    """Short recordings: the k in 2..MAX_SPEAKERS with the best silhouette, else one speaker."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.metrics import silhouette_score

    labels = np.zeros(len(embeds), dtype=int)
    best_score = MIN_SILHOUETTE
    for k in range(2, min(MAX_SPEAKERS, len(embeds) - 1) + 1):
        guess = AgglomerativeClustering(n_clusters=k, metric="cosine", linkage="average").fit_predict(embeds)
        if min(np.bincount(guess)) < max(2, MIN_SHARE * len(embeds)):
            continue  # a "speaker" with a handful of windows is noise, not a person
        score = silhouette_score(embeds, guess, metric="cosine")
        if score > best_score:
            labels, best_score = guess, score
    return labels


def _smooth(labels: list[int], width: int = 2) -> list[int]:
    """Absorb runs shorter than `width` words into their neighbours (window noise)."""
    out = list(labels)
    i = 0
    while i < len(out):
        j = i
        while j < len(out) and out[j] == out[i]:
            j += 1
        if j - i < width and i > 0:
            for k in range(i, j):
                out[k] = out[i - 1]
        i = j
    return out


def _voiced(centres: np.ndarray, segments: list[Segment], margin: float = 0.2) -> np.ndarray:
    """Mask of window centres that fall inside a recognised word (or segment without words).

    Interval lookup by binary search: an hour has ~7,000 windows and ~9,000 words."""
    spans = sorted((w.start - margin, w.end + margin) for seg in segments
                   for w in (seg.words or [Word(start=seg.start, end=seg.end, text=seg.text)]))
    if not spans:
        return np.zeros(len(centres), dtype=bool)
    starts, ends = np.array([a for a, _ in spans]), np.maximum.accumulate(np.array([b for _, b in spans]))
    idx = np.searchsorted(starts, centres, side="right") - 1
    return (idx >= 0) & (centres <= ends[np.clip(idx, 0, None)])


def diarize(samples: np.ndarray, segments: list[Segment], prefix: str = "speaker") -> list[Segment]:
    """Split segments into speaker turns at word level, labelled `<prefix> 1..k`.

    Voice embeddings of short windows are clustered; each word takes the
    speaker of the window nearest its middle; a segment whose words change
    speaker is cut there (whisper's segments often span two turns).
    """
    if not segments:
        return segments
    centres, embeds = window_embeddings(samples)
    if len(embeds) == 0:
        for seg in segments:
            seg.speaker = f"{prefix} 1"
        return segments
    # Only windows centred on recognised speech are voices: pauses, holds and
    # breaths would otherwise form a "speaker" of their own.
    voiced = _voiced(centres, segments)
    if voiced.sum() >= 1:
        centres, embeds = centres[voiced], embeds[voiced]
    window_label = cluster_voices(embeds)
    out: list[Segment] = []
    order: dict[int, int] = {}
    for seg in segments:
        words = seg.words or [Word(start=seg.start, end=seg.end, text=seg.text)]
        mids = np.array([(w.start + w.end) / 2 for w in words])
        nearest = np.abs(centres[None, :] - mids[:, None]).argmin(axis=1)
        labels = _smooth([int(window_label[n]) for n in nearest])
        start = 0
        for k in range(1, len(words) + 1):
            if k == len(words) or labels[k] != labels[start]:
                part = words[start:k]
                label = order.setdefault(labels[start], len(order) + 1)
                text = seg.text if len(part) == len(words) else " ".join(w.text for w in part)
                out.append(seg.model_copy(update={
                    "start": part[0].start if seg.words else seg.start,
                    "end": part[-1].end if seg.words else seg.end,
                    "text": text, "words": part if seg.words else None,
                    "speaker": f"{prefix} {label}"}))
                start = k
    segments[:] = out
    return segments


def diarize_channels(audio: np.ndarray, segments: list[Segment]) -> list[Segment]:
    """Stereo calls: each channel is one side, but a side may have several voices."""
    out: list[Segment] = []
    for index, channel in enumerate(audio):
        own = [s for s in segments if s.channel == index]
        if own:
            out += diarize(channel, own, prefix=f"channel {index + 1} speaker")
    out.sort(key=lambda s: s.start)
    segments[:] = out
    return segments


def _norm(name: str) -> str:
    return " ".join(name.lower().split())


def _bare(name: str) -> str:
    """A company name without case, spaces or punctuation: the recognizer writes "Relay Wise"."""
    return re.sub(r"\W", "", name.lower())


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


# Speakers' seller scores must be at least this far apart for what they say to split the sides.
MIN_SIDE_GAP = 0.1
# Once the seller's side is known, another speaker whose speech scores at least this is a second
# seller. Chosen on training part G with the side model fitted on parts A-F only (4 of 7 second
# sellers found, 0 of 34 customers taken); on the dev calls, never trained on: 6 of 7 found,
# 2 of 32 customers taken (docs/transcription.md).
SECOND_SELLER_MIN = 0.6


def split_by_speech(labels: list[str], scores: dict[str, float]) -> dict[str, Role]:
    """Sides from how seller-like each speaker's speech is (`scores`, P(seller)), for a call where
    nothing else tells the sides apart.

    Speakers are ordered by score and cut at the widest gap; those above it that sound more like a
    seller than not (P >= 0.5) are the seller's, the rest the customer's. A gap narrower than
    MIN_SIDE_GAP, or nobody above it at 0.5, decides nothing. The model is right for about four
    speakers in five (docs/transcription.md): it replaces a guess, never a name or a channel."""
    scored = sorted((scores[label], label) for label in labels if label in scores)
    if len(scored) < 2:
        return {}
    gap, cut = max((scored[i][0] - scored[i - 1][0], i) for i in range(1, len(scored)))
    sellers = [lab for score, lab in scored[cut:] if score >= 0.5]
    if gap < MIN_SIDE_GAP or not sellers:
        return {}
    return {lab: Role.REP if lab in sellers else Role.CUSTOMER for _, lab in scored}


def assign_roles(transcript: Transcript, deal: Deal | None, rep_names: list[str],
                 vendor_name: str = "", channel_roles: tuple[Role, Role] = (Role.REP, Role.CUSTOMER),
                 speech_scores: Callable[[], dict[str, float]] | None = None) -> Transcript:
    """Give each speaker a role, and a name where they introduced themselves.

    Evidence, strongest first: a role the transcript already carries (our own JSON
    format: a reviewed or re-imported transcript says who is who); the channel of a
    stereo call; a speaker label or
    self-introduction naming one of the seller's people (the deal's AE and CSM,
    `rep_names`); an introduction "from <company>"; a speaker who names the
    seller's company (first person talk about the product). When only the
    seller's side is known, a speaker who talks clearly like a seller
    (`speech_scores` >= SECOND_SELLER_MIN) is a second seller and everyone else
    is the customer's; when only the customer's is known, everyone else is the
    seller's. When nothing is known, how seller-like each speaker talks decides
    where it is clear; failing that, the person who opens the call is taken as
    the host, which in a sales call is the rep. `speech_scores` is called at most
    once, and only when a speaker is left to place: scoring loads a sentence
    encoder and reads every segment.
    """
    reps = [*rep_names, *([deal.ae_name, deal.csm_name] if deal else [])]
    vendor_name = vendor_name or (vendor_from_email(deal.ae_email) if deal else "")
    account = _norm(deal.account) if deal else ""
    intros = introductions(transcript.segments)
    roles: dict[str, Role] = {}
    for seg in transcript.segments:
        if seg.role is not Role.UNKNOWN and seg.speaker != "unknown":
            roles.setdefault(seg.speaker, seg.role)
    names: dict[str, str] = {}
    for seg in transcript.segments:
        label = seg.speaker
        if label in roles or label == "unknown":  # "unknown" is many people, not one
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
                # The company someone says they are from outranks their first name:
                # "I'm Sam from <account>" is the customer even when the AE is a Sam too.
                if org and account and (_bare(org) in _bare(account) or _bare(account) in _bare(org)):
                    roles[label] = Role.CUSTOMER
                elif _matches(name, reps) or (org and vendor_name and _bare(org) in _bare(vendor_name)):
                    roles[label] = Role.REP
                elif org and account:  # from a company that is not the account: the seller
                    roles[label] = Role.REP
    labels = transcript.speakers()
    if not any(r is Role.REP for r in roles.values()) and vendor_name:
        talks_vendor = {lab: _mentions(transcript.segments, lab, vendor_name) for lab in labels
                        if lab not in roles and lab != "unknown"}
        if talks_vendor and max(talks_vendor.values()) > 0:
            roles[max(talks_vendor, key=talks_vendor.get)] = Role.REP
    labels = [lab for lab in labels if lab != "unknown"]
    scores: dict[str, float] | None = None
    if not roles and speech_scores is not None:
        # Nothing named a side: speech is a better guess than "the host opens the call".
        scores = speech_scores()
        roles.update(split_by_speech(labels, scores))
    if any(r is Role.REP for r in roles.values()):
        unplaced = [label for label in labels if label not in roles]
        if unplaced and speech_scores is not None:
            # A second seller (a solutions engineer who never names the company) talks like one.
            scores = speech_scores() if scores is None else scores
            roles.update({label: Role.REP for label in unplaced
                          if scores.get(label, 0.0) >= SECOND_SELLER_MIN})
        # Everyone else on the call is the customer's.
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
        seg.role = roles.get(seg.speaker, seg.role)
        seg.speaker = names.get(seg.speaker, seg.speaker)
    return transcript
