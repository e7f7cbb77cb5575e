"""The turn classifier: a fine-tuned MiniLM that tags each utterance with the
kinds of handoff information it carries (multi-label).

Trained by `handoff train` from `data/train/` with a fixed seed; per-kind
thresholds are chosen on a held-out slice of the *training* data; the
development set (`data/dev/`) is only ever scored, never trained or tuned on.
The artifact is a directory with the weights, the tokenizer and `meta.json`
(data version, seed, thresholds, metrics), like a spaCy pipeline.
"""

from __future__ import annotations

import functools
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from extractors import nlp  # first: it sets the offline environment
from extractors import name_swap
from extractors.corpus import (KINDS, Conversation, asr_conversation, data_version, example_text, load_dev,
                               source_version,
                               load_train)

VERSION = "turn-classifier.v4"
MAX_LENGTH = 128
# Weight of the neighbouring turns' embedding beside the utterance's own.
CONTEXT_WEIGHT = 0.5


class ClassifierMissing(RuntimeError):
    """No trained classifier where settings point."""


@dataclass
class TrainConfig:
    train_dir: Path
    dev_dir: Path
    out_dir: Path
    encoder: str
    seed: int = 13
    epochs: int = 4
    batch_size: int = 16
    learning_rate: float = 3e-5
    holdout: float = 0.12
    # Only the top layers are fine-tuned: on 2 CPU cores this halves training
    # time at a small cost in accuracy (measured in docs/extraction.md).
    train_layers: int = 2
    # Share of training turns shown in recognizer style each epoch (no
    # punctuation, lower case, names split): same steps, so same training time.
    asr_share: float = 0.5
    # Share of those recognizer-style turns whose call's product names are swapped for
    # everyday words (extractors/name_swap.py): the classifier learns the context of a name.
    swap_share: float = 0.5
    # Hold out exactly these deals instead of a seeded share: to compare two training sets on
    # the same held-out turns (benchmarks/data_change.py); None in production.
    held_out_deals: frozenset[str] | None = None


def _examples(convs: list[Conversation]) -> tuple[list[tuple[str, str]], np.ndarray]:
    pairs, labels = [], []
    for conv in convs:
        for i, turn in enumerate(conv.turns):
            pairs.append(example_text(conv.turns, i))
            labels.append([1.0 if k in turn.labels else 0.0 for k in KINDS])
    return pairs, np.array(labels, dtype=np.float32).reshape(-1, len(KINDS))


def both_forms(convs: list[Conversation], seed: int) -> tuple[list[tuple[str, str]], np.ndarray]:
    """The examples of `convs` as written, then in recognizer style: real transcripts come
    punctuated (exports) and bare (recognizers), and held-out turns are scored in both."""
    x, y = _examples(convs)
    x_asr, _ = _examples([asr_conversation(c, seed) for c in convs])
    return x + x_asr, np.concatenate([y, y])


def _seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)


class TurnModel:
    """Mean-pooled encoder embeddings of the utterance and of its context,
    concatenated, into one linear layer: the pooling the sentence encoder was
    trained with, so the head starts from meaningful features."""

    def __init__(self, encoder, tokenizer, head):
        self.encoder, self.tokenizer, self.head = encoder, tokenizer, head

    def embed(self, texts: list[str]):
        import torch

        enc = self.tokenizer(texts, truncation=True, max_length=MAX_LENGTH, padding=True,
                             return_tensors="pt")
        hidden = self.encoder(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)

    def logits(self, pairs: list[tuple[str, str]], context=None):
        import torch

        utt = self.embed([p[0] for p in pairs])
        if context is None:
            context = self.embed([p[1] or "" for p in pairs])
        return self.head(torch.cat([utt, CONTEXT_WEIGHT * context], dim=-1))


def _embed_unique(model: TurnModel, texts: list[str], batch_size: int = 32, known: dict | None = None):
    """Embeddings of `texts`, each distinct text once, in batches of similar length.

    The sentences of a turn share the turn's context, and unsorted batches pad
    every short back-channel to the longest turn: both cost most of the time.
    `known` (text -> embedding) is read first and filled: a caller scoring one
    transcript twice, turns then their sentences, embeds each context once. One dict
    serves one model: its vectors are that model's."""
    import torch

    known = {} if known is None else known
    new = sorted(set(texts) - known.keys(), key=len)
    for i in range(0, len(new), batch_size):
        known.update(zip(new[i:i + batch_size], model.embed(new[i:i + batch_size])))
    return torch.stack([known[t] for t in texts])


def _predict(model: TurnModel, pairs: list[tuple[str, str]], known: dict | None = None) -> np.ndarray:
    import torch

    if not pairs:
        return np.zeros((0, len(KINDS)), dtype=np.float32)
    model.encoder.eval()
    with torch.inference_mode():
        utt = _embed_unique(model, [p[0] for p in pairs], known=known)
        ctx = _embed_unique(model, [p[1] or "" for p in pairs], known=known)
        return torch.sigmoid(model.head(torch.cat([utt, CONTEXT_WEIGHT * ctx], dim=-1))).numpy()


def _embed_all(model: TurnModel, texts: list[str], batch_size: int = 64):
    import torch

    model.encoder.eval()
    with torch.inference_mode():
        return torch.cat([model.embed(texts[i:i + batch_size]) for i in range(0, len(texts), batch_size)])


def _freeze_lower_layers(encoder, train_layers: int) -> None:
    """Freeze embeddings and all but the top `train_layers` transformer layers."""
    layers = encoder.encoder.layer
    for param in encoder.embeddings.parameters():
        param.requires_grad = False
    for layer in layers[: max(0, len(layers) - train_layers)]:
        for param in layer.parameters():
            param.requires_grad = False


def _length_batches(pairs: list[tuple[str, str]], batch_size: int, seed: int) -> list[np.ndarray]:
    """Shuffled batches of similar length: less padding, same examples per epoch."""
    rng = np.random.RandomState(seed)
    order = rng.permutation(len(pairs))
    window = batch_size * 20
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda j: len(pairs[j][0]))
        batches += [np.array(chunk[i:i + batch_size]) for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def _f1(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    tp, fp, fn = float((y * p).sum()), float(((1 - y) * p).sum()), float((y * (1 - p)).sum())
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": round(prec, 3), "recall": round(rec, 3), "f1": round(f1, 3),
            "support": int(y.sum())}


def score(y: np.ndarray, probs: np.ndarray, thresholds: list[float]) -> dict[str, dict]:
    pred = (probs >= np.array(thresholds)).astype(np.float32)
    metrics = {k: _f1(y[:, j], pred[:, j]) for j, k in enumerate(KINDS)}
    macro = float(np.mean([m["f1"] for m in metrics.values()]))
    metrics["macro"] = {"f1": round(macro, 3)}
    return metrics


def _fit_calibration(y: np.ndarray, probs: np.ndarray) -> list[tuple[float, float]]:
    """Platt scaling per kind on held-out turns: p' = sigmoid(a * logit(p) + b).

    A fine-tuned network is over-confident; after scaling, a confidence of 0.8
    means right about 80% of the time on turns it never trained on."""
    from sklearn.linear_model import LogisticRegression

    params = []
    for j in range(y.shape[1]):
        if y[:, j].min() == y[:, j].max():
            params.append((1.0, 0.0))
            continue
        lr = LogisticRegression(C=1.0).fit(_logit(probs[:, j]).reshape(-1, 1), y[:, j])
        params.append((round(float(lr.coef_[0, 0]), 4), round(float(lr.intercept_[0]), 4)))
    return params


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def calibrate(probs: np.ndarray, params: list[tuple[float, float]]) -> np.ndarray:
    a = np.array([p[0] for p in params])
    b = np.array([p[1] for p in params])
    return 1.0 / (1.0 + np.exp(-(a * _logit(probs) + b)))


# Below this calibrated confidence the extractor abstains whatever the F1
# optimum says: for a handoff a wrong value is worse than an empty one.
MIN_CONFIDENCE = 0.35


def _tune_thresholds(y: np.ndarray, probs: np.ndarray) -> list[float]:
    grid = np.arange(MIN_CONFIDENCE, 0.81, 0.05)
    best = []
    for j in range(len(KINDS)):
        scores = [_f1(y[:, j], (probs[:, j] >= t).astype(np.float32))["f1"] for t in grid]
        best.append(round(float(grid[int(np.argmax(scores))]), 2))
    return best


def _loss_fn(y: np.ndarray):
    import torch

    # Positive labels are rare; weigh them up (square root of the imbalance).
    pos = y.mean(axis=0).clip(0.02, 0.5)
    return torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(np.sqrt((1 - pos) / pos)))


def _fit_head(model: TurnModel, features, y: np.ndarray, steps: int = 300) -> None:
    """Linear probe: train the head alone on frozen features (full batch, deterministic)."""
    import torch

    loss_fn = _loss_fn(y)
    target = torch.from_numpy(y)
    optim = torch.optim.Adam(model.head.parameters(), lr=0.05, weight_decay=1e-4)
    for _ in range(steps):
        optim.zero_grad()
        loss = loss_fn(model.head(features), target)
        loss.backward()
        optim.step()


def train(cfg: TrainConfig, log=print) -> dict:
    """Linear probe, then fine-tune the top encoder layers with it (LP-FT); save the artifact."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    _seed_everything(cfg.seed)
    convs = load_train(cfg.train_dir)
    held, fit = held_out_split(convs, cfg)
    x_fit, y_fit = _examples(fit)
    x_fit_asr, _ = _examples([asr_conversation(c, cfg.seed) for c in fit])
    words = name_swap.vocabulary(fit)
    x_fit_swap, _ = _examples([asr_conversation(name_swap.swap_names(c, cfg.seed, words, cfg.encoder), cfg.seed)
                               for c in fit])
    # Thresholds and calibration are set on both forms of the held-out turns.
    x_held, y_held = both_forms(held, cfg.seed)
    log(f"training on {len(x_fit)} turns ({len(fit)} snippets), holding out {len(x_held)}")

    path = nlp.encoder_path(cfg.encoder)
    tokenizer = AutoTokenizer.from_pretrained(path)
    encoder = AutoModel.from_pretrained(path)
    hidden = encoder.config.hidden_size
    model = TurnModel(encoder, tokenizer, torch.nn.Linear(2 * hidden, len(KINDS)))
    started = time.time()

    utt = _embed_all(model, [p[0] for p in x_fit])
    ctx = _embed_all(model, [p[1] or "" for p in x_fit])
    _fit_head(model, torch.cat([utt, CONTEXT_WEIGHT * ctx], dim=-1), y_fit)
    probe_metrics = score(y_held, _predict(model, x_held), [0.5] * len(KINDS))
    log(f"linear probe: holdout macro F1 {probe_metrics['macro']['f1']:.3f} ({time.time() - started:.0f} s)")

    _freeze_lower_layers(encoder, cfg.train_layers)
    params = [p for p in encoder.parameters() if p.requires_grad] + list(model.head.parameters())
    optim = torch.optim.AdamW(params, lr=cfg.learning_rate, weight_decay=0.01)
    steps = cfg.epochs * ((len(x_fit) + cfg.batch_size - 1) // cfg.batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(optim, lambda s: max(0.0, 1 - s / max(steps, 1)))
    loss_fn = _loss_fn(y_fit)
    for epoch in range(cfg.epochs):
        encoder.train()
        total = 0.0
        flip = np.random.RandomState(cfg.seed + 1000 + epoch).rand(len(x_fit)) < cfg.asr_share
        swap = np.random.RandomState(cfg.seed + 2000 + epoch).rand(len(x_fit)) < cfg.swap_share
        x_epoch = [(x_fit_swap[j] if swap[j] else x_fit_asr[j]) if flip[j] else x_fit[j]
                   for j in range(len(x_fit))]
        for idx in _length_batches(x_epoch, cfg.batch_size, cfg.seed + epoch):
            # The context branch is read without gradients: half the cost, same signal.
            with torch.no_grad():
                context = model.embed([x_epoch[j][1] or "" for j in idx])
            logits = model.logits([x_epoch[j] for j in idx], context)
            loss = loss_fn(logits, torch.from_numpy(y_fit[idx]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optim.step()
            sched.step()
            optim.zero_grad()
            total += loss.item() * len(idx)
        log(f"epoch {epoch + 1}/{cfg.epochs}: loss {total / len(x_fit):.4f} "
            f"({time.time() - started:.0f} s)")

    raw_held = _predict(model, x_held)
    calibration = _fit_calibration(y_held, raw_held)
    held_probs = calibrate(raw_held, calibration)
    thresholds = _tune_thresholds(y_held, held_probs)
    metrics = {"linear_probe_holdout": probe_metrics, "holdout": score(y_held, held_probs, thresholds)}
    if cfg.dev_dir.exists() and any(cfg.dev_dir.glob("*.json")):
        x_dev, y_dev = _examples(load_dev(cfg.dev_dir))
        dev_probs = calibrate(_predict(model, x_dev), calibration)
        metrics["dev"] = score(y_dev, dev_probs, thresholds)
        metrics["dev_reliability"] = reliability(y_dev, dev_probs)
    meta = {
        "version": VERSION, "labels": KINDS, "thresholds": thresholds, "calibration": calibration,
        "seed": cfg.seed, "held_out_deals": sorted({c.deal for c in held}),
        "encoder": cfg.encoder, "epochs": cfg.epochs, "learning_rate": cfg.learning_rate,
        "train_layers": cfg.train_layers, "context_weight": CONTEXT_WEIGHT, "asr_share": cfg.asr_share,
        "swap_share": cfg.swap_share,
        "data_version": data_version(cfg.train_dir), "code_version": code_version(),
        "train_turns": len(x_fit),
        "dev_version": data_version(cfg.dev_dir) if cfg.dev_dir.exists() else None,
        "train_seconds": round(time.time() - started, 1), "metrics": metrics,
    }
    cfg.out_dir.mkdir(parents=True, exist_ok=True)
    encoder.save_pretrained(cfg.out_dir)
    tokenizer.save_pretrained(cfg.out_dir)
    torch.save(model.head.state_dict(), cfg.out_dir / "head.pt")
    (cfg.out_dir / "meta.json").write_text(json.dumps(meta, indent=2))
    return meta


def held_out_split(convs: list[Conversation], cfg: TrainConfig) -> tuple[list[Conversation], list[Conversation]]:
    """(held, fit): the deals `cfg` names, else a seeded share of whole deals."""
    if cfg.held_out_deals is None:
        return _split_by_deal(convs, cfg.holdout, cfg.seed)
    return ([c for c in convs if c.deal in cfg.held_out_deals],
            [c for c in convs if c.deal not in cfg.held_out_deals])


def _split_by_deal(convs: list[Conversation], share: float, seed: int):
    """(held, fit): whole deals held out, about `share` of the conversations."""
    deals = sorted({c.deal for c in convs})
    random.Random(seed).shuffle(deals)
    held_deals, count = set(), 0
    for deal in deals:
        if count >= share * len(convs):
            break
        held_deals.add(deal)
        count += sum(c.deal == deal for c in convs)
    return [c for c in convs if c.deal in held_deals], [c for c in convs if c.deal not in held_deals]


def reliability(y: np.ndarray, probs: np.ndarray, edges=(0.5, 0.6, 0.7, 0.8, 0.9)) -> dict[str, dict]:
    """Share of predictions at confidence >= each edge that are right (all kinds pooled)."""
    out = {}
    for edge in edges:
        picked = probs >= edge
        n = int(picked.sum())
        out[f">={edge}"] = {"predictions": n,
                            "precision": round(float(y[picked].mean()), 3) if n else None}
    return out


def code_version() -> str:
    """Hash of the trainer's own source and of what its name swap reads: a changed trainer
    retrains."""
    return source_version("classifier.py", "corpus.py", "name_swap.py", "vendors.py", "../data/vendors.tsv")


def is_current(out_dir: Path, train_dir: Path, encoder: str) -> bool:
    """True when the artifact was trained on the current data, trainer and encoder."""
    meta = out_dir / "meta.json"
    if not meta.exists():
        return False
    info = json.loads(meta.read_text())
    return (info.get("data_version"), info.get("version"), info.get("code_version"), info.get("encoder")) == \
        (data_version(train_dir), VERSION, code_version(), encoder)


class TurnClassifier:
    def __init__(self, directory: Path):
        import torch
        from transformers import AutoModel, AutoTokenizer

        meta = directory / "meta.json"
        if not meta.exists():
            raise ClassifierMissing(f"no trained classifier in {directory}; run `handoff train` "
                                    f"(or `make setup`) first")
        self.meta = json.loads(meta.read_text())
        if self.meta.get("version") != VERSION:
            raise ClassifierMissing(f"classifier in {directory} is {self.meta.get('version')}, this "
                                    f"program needs {VERSION}; run `handoff train`")
        self.thresholds = np.array(self.meta["thresholds"])
        self.calibration = self.meta.get("calibration") or [(1.0, 0.0)] * len(KINDS)
        encoder = AutoModel.from_pretrained(directory)
        head = torch.nn.Linear(2 * encoder.config.hidden_size, len(KINDS))
        head.load_state_dict(torch.load(directory / "head.pt", map_location="cpu"))
        self.model = TurnModel(encoder, AutoTokenizer.from_pretrained(directory), head)
        self.name = f"{self.meta['version']}@{self.meta['data_version']}"

    def probabilities(self, pairs: list[tuple[str, str]], known: dict | None = None) -> np.ndarray:
        """(n, kinds) calibrated probabilities for (utterance, context) pairs; `known` as in
        `_embed_unique`, to share embeddings between calls on one transcript."""
        return calibrate(_predict(self.model, pairs, known), self.calibration)


@functools.lru_cache(maxsize=2)
def load_classifier(directory: str) -> TurnClassifier:
    return TurnClassifier(Path(directory))
