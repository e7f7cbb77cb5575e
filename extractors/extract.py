"""From a transcript to evidence-backed items.

1. Consecutive segments of one speaker become a turn (what the classifier was
   trained on).
2. The turn classifier tags each turn, reading its neighbours and the
   speaker's role.
3. For each tag, the sentence of the turn that carries it best becomes the
   quote (scored by the same classifier), and spaCy plus the per-kind modules
   fill the attributes. A commitment turn gives one item per promise sentence
   (a next-steps recap holds several).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import threading
from dataclasses import dataclass, field

from extractors import buying_roles, crm_competitors, vague
from extractors.classifier import load_classifier
from extractors.commitments import commitment_attributes
from extractors.competitors import competitor_attributes, mentions
from extractors.corpus import KINDS, Turn, example_text
from extractors.nlp import embeddings, sentence_encoder, spacy_pipeline
from extractors.pain_points import pain_attributes
from extractors.risks import risk_attributes
from extractors.stakeholders import is_person_name, stakeholder_attributes
from extractors.success_criteria import criterion_attributes
from models import Deal, Evidence, Item, ItemKind, Role, Segment, Side, Transcript
from pipeline.settings import Settings

TURN_GAP_SECONDS = 1.5
# Kinds of which one turn can state several, one per sentence: a next-steps recap holds
# promises of different owners and dates. The label guide keeps one stakeholder and one
# competitor per turn, and a second pain or risk sentence mostly elaborates the first.
SEVERAL_PER_TURN = {ItemKind.COMMITMENT.value}
# A further sentence needs this many words to be an item of its own ("By Friday." is not).
MIN_SENTENCE_WORDS = 4
_FILLERS = re.compile(r"(?<!\w)(?:um+|uh+|erm|hmm+|mm-hmm|you know|i mean|like,|sort of|kind of|kinda)"
                      r"(?!\w)[,]?\s*", re.I)


@dataclass
class CallContext:
    """What the extractor knows about the call besides its words."""

    recording_id: str
    call_date: dt.date | None = None
    deal: Deal | None = None
    people: list[str] = field(default_factory=list)
    # Customer-side people heard in the call: names spaCy misses in lower-case ASR text.
    customers: list[str] = field(default_factory=list)
    # What each named customer-side speaker said: a stakeholder's buying role shows in it.
    speech: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class SpokenTurn:
    speaker: str
    role: Role
    start: float
    end: float
    segments: list[Segment]

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments)


def spoken_turns(transcript: Transcript) -> list[SpokenTurn]:
    turns: list[SpokenTurn] = []
    for seg in transcript.segments:
        last = turns[-1] if turns else None
        if last and last.speaker == seg.speaker and seg.start - last.end <= TURN_GAP_SECONDS:
            last.segments.append(seg)
            last.end = max(last.end, seg.end)
        else:
            turns.append(SpokenTurn(seg.speaker, seg.role, seg.start, seg.end, [seg]))
    return turns


def clean_text(text: str) -> str:
    """A quote without fillers, as a one-line statement."""
    text = _FILLERS.sub("", text).strip(" ,")
    text = re.sub(r"\s+", " ", text)
    return text[:1].upper() + text[1:] if text else text


def _side(role: Role) -> Side:
    return {Role.REP: Side.VENDOR, Role.CUSTOMER: Side.CUSTOMER}.get(role, Side.UNKNOWN)


# Kinds whose attributes read an embedding: risk categories the quote's, buying roles and vague
# promises the whole turn's.
_EMBEDDED = {ItemKind.RISK.value, ItemKind.STAKEHOLDER.value, ItemKind.COMMITMENT.value}


def _span_times(turn: SpokenTurn, char_start: int, char_end: int) -> tuple[float, float]:
    """Start and end time of a character span of the turn, by its segments."""
    offset, times = 0, []
    for seg in turn.segments:
        length = len(seg.text.strip())
        if offset < char_end and offset + length > char_start:
            times.append((seg.start, seg.end))
        offset += length + 1
    if not times:
        return turn.start, turn.end
    return times[0][0], times[-1][1]


def _attributes(kind: ItemKind, sent, turn: SpokenTurn, ctx: CallContext, settings: Settings) -> dict:
    if kind is ItemKind.COMMITMENT:
        vague_model = vague.load(str(settings.classifier_dir), settings.encoder_model)
        return commitment_attributes(sent, turn.speaker, _side(turn.role), ctx.call_date, ctx.people, turn.text,
                                     ctx.customers, vague_model.score(turn.text) if vague_model else None)
    if kind is ItemKind.SUCCESS_CRITERION:
        return criterion_attributes(sent)
    if kind is ItemKind.STAKEHOLDER:
        return stakeholder_attributes(sent, turn.speaker, settings.encoder_model, ctx.customers,
                                      buying_roles.load(str(settings.classifier_dir), settings.encoder_model),
                                      ctx.speech, turn.text)
    if kind is ItemKind.RISK:
        return risk_attributes(sent, settings.encoder_model, ctx.customers)
    if kind is ItemKind.COMPETITOR:
        known = ctx.deal.competitors if ctx.deal else []
        exclude = [ctx.deal.account] if ctx.deal else []
        return competitor_attributes(sent, known, exclude + [settings.vendor_name, *ctx.people],
                                     settings.encoder_model)
    return pain_attributes(sent)


# Models load once per process; two threads loading at once race in transformers'
# lazy imports ("cannot import name 'AutoModel'"), so the first load is serialised.
_LOAD_LOCK = threading.Lock()


def load_models(settings: Settings):
    """(classifier, spaCy pipeline), loading everything extraction needs on first use."""
    with _LOAD_LOCK:
        classifier = load_classifier(str(settings.classifier_dir))
        nlp = spacy_pipeline(settings.spacy_model)
        sentence_encoder(settings.encoder_model)
        buying_roles.load(str(settings.classifier_dir), settings.encoder_model)
        vague.load(str(settings.classifier_dir), settings.encoder_model)
    return classifier, nlp


def _listed_competitors(turns: list[SpokenTurn], ctx: CallContext, settings: Settings,
                        probs, threshold: float) -> tuple[list[str], set[tuple[int, int]]]:
    """Items the deal's CRM competitor list finds where the classifier does not: the first turn
    naming each listed competitor, if under the classifier's `threshold`, gets (in place) the
    rule's measured confidence (extractors/crm_competitors.py). Returns the list and the
    (turn, kind) cells found this way; what the classifier found keeps its own confidence."""
    listed = [name for name in (ctx.deal.competitors if ctx.deal else []) if name]
    earned = crm_competitors.confidence(str(settings.classifier_dir)) if listed else None
    if earned is None or earned < threshold:
        return listed, set()
    j = KINDS.index(ItemKind.COMPETITOR.value)
    found = set()
    for i in crm_competitors.first_mentions([t.text for t in turns], listed, settings.encoder_model):
        if probs[i, j] < threshold:
            probs[i, j] = earned
            found.add((i, j))
    return listed, found


def extract_items(transcript: Transcript, ctx: CallContext, settings: Settings) -> list[Item]:
    """All items of the six kinds in one transcript, each with its evidence."""
    classifier, nlp = load_models(settings)
    turns = spoken_turns(transcript)
    if not turns:
        return []
    speech: dict[str, list[str]] = {}
    for t in turns:
        if t.role is Role.CUSTOMER and is_person_name(t.speaker):
            speech.setdefault(t.speaker, []).append(t.text)
    ctx = dataclasses.replace(ctx, speech=ctx.speech or speech, customers=ctx.customers or list(speech))
    conv = [Turn(t.speaker, t.role.value, t.text) for t in turns]
    known: dict = {}  # text -> embedding: the sentence pass below reuses the turns' contexts
    probs = classifier.probabilities([example_text(conv, i) for i in range(len(conv))], known)
    # Per-kind thresholds tuned at training time, unless the user sets one for all.
    thresholds = classifier.thresholds if settings.threshold is None else \
        [settings.threshold] * len(KINDS)
    listed, by_list = _listed_competitors(turns, ctx, settings, probs,
                                          thresholds[KINDS.index(ItemKind.COMPETITOR.value)])
    hits = [(i, j) for i in range(len(turns)) for j in range(len(KINDS))
            if probs[i, j] >= thresholds[j]]
    tagged = sorted({i for i, _ in hits})
    docs = dict(zip(tagged, nlp.pipe([turns[i].text for i in tagged], batch_size=64)))
    # Score each sentence of a tagged turn alone, in the turn's context, to pick the quote.
    sent_pairs, sentences = [], {}
    for i, doc in docs.items():
        context = example_text(conv, i)[1]
        sents = list(doc.sents)
        if len(sents) == 1:  # nothing to choose between
            sentences[i] = [(None, sents[0])]
            continue
        sentences[i] = []
        for sent in sents:
            sentences[i].append((len(sent_pairs), sent))
            sent_pairs.append((f"{conv[i].role}: {sent.text}", context))
    sent_probs = classifier.probabilities(sent_pairs, known) if sent_pairs else None

    memo: dict = {}

    def attributes(i: int, kind: ItemKind, sent) -> dict:
        """A sentence's attributes, once: choosing a competitor quote already reads them."""
        key = (i, kind, sent.start)
        if key not in memo:
            memo[key] = _attributes(kind, sent, turns[i], ctx, settings)
        return memo[key]

    def quote(i: int, j: int):
        rows = sentences[i]
        if len(rows) == 1:
            return rows[0][1]
        if (i, j) in by_list:  # found by the CRM list, not the classifier: the sentence naming it
            rows = [r for r in rows if any(mentions(r[1].text, n) for n in listed)] or rows
        elif KINDS[j] == ItemKind.COMPETITOR.value:  # the evidence should show who the competitor is
            rows = [r for r in rows if attributes(i, ItemKind.COMPETITOR, r[1])["name"]] or rows
        return max(rows, key=lambda r: sent_probs[r[0], j])[1] if rows else docs[i][:]

    def more(i: int, j: int, best) -> list[tuple[object, float]]:
        """The turn's other sentences that carry a kind of which a turn may hold several (a
        recap: "I'll send the order form today. Dana will get legal on the DPA by Wednesday.").
        Confidence: the sentence's score, never above the turn's (calibrated on turns), so the
        turn's best sentence stays its most confident item."""
        if KINDS[j] not in SEVERAL_PER_TURN or len(sentences[i]) == 1:
            return []
        return [(sent, min(float(sent_probs[row, j]), float(probs[i, j]))) for row, sent in sentences[i]
                if sent.start != best.start and sent_probs[row, j] >= thresholds[j]
                and len(clean_text(sent.text).split()) >= MIN_SENTENCE_WORDS]

    quoted = []  # (turn, kind, sentence, confidence): the turn's best sentence first
    for i, j in hits:
        best = quote(i, j)
        quoted += [(i, j, best, float(probs[i, j])), *((i, j, sent, p) for sent, p in more(i, j, best))]
    # The embeddings the attributes read (_EMBEDDED), in one batch.
    embeddings(settings.encoder_model, [sent.text if KINDS[j] == ItemKind.RISK.value else turns[i].text
                                        for i, j, sent, _ in quoted if KINDS[j] in _EMBEDDED])
    items = []
    for i, j, sent, confidence in quoted:
        turn, kind = turns[i], ItemKind(KINDS[j])
        start, end = _span_times(turn, sent.start_char, sent.end_char)
        items.append(Item(
            kind=kind, text=clean_text(sent.text), confidence=confidence,
            stated_by=_side(turn.role), attributes=attributes(i, kind, sent),
            extractor=f"{classifier.name}+crm-list" if (i, j) in by_list else classifier.name,
            evidence=[Evidence(recording_id=ctx.recording_id, start=start, end=end,
                               speaker=turn.speaker, role=turn.role.value, quote=sent.text.strip())]))
    return items
