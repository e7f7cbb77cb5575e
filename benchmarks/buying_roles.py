"""Buying roles, leave one deal out, over the labelled stakeholder turns of the training calls.

For each deal, the two role regressions (`extractors/buying_roles.py`: what is said about the
person, and what they say) are fitted on every other deal's labelled turns and speakers, then
read that deal's labelled stakeholder turns: from the whole turn alone, and mixed with the
person's own words in the call when they speak (as `extract` does). Printed for the calls as
written and in recognizer style, for the learned part alone and with the rules `extract` puts
over it (`stakeholders.rule_role`: a doubt word makes a skeptic, a title such as CFO settles the
role), each rule alone and both; fitted on the calls alone and with the role-only mentions of
`data/roles/` (other deals) added. The development set is not read.

    python -m benchmarks.buying_roles [--train-dir DIR]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from extractors import buying_roles
from extractors.corpus import Conversation, asr_conversation, load_train
from extractors.stakeholders import own_words, rule_role, skeptic_rule, title_of, title_rule
from pipeline.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
SEED = 13  # the trainer's seed: the recognizer-style text training shows


def labelled(conv: Conversation) -> list[tuple[str, str, list[str]]]:
    """(turn, buying role, the person's own turns) of each stakeholder turn with a role."""
    said = buying_roles.customer_speech(conv)
    rows = []
    for t in conv.turns:
        person = (t.attributes.get("stakeholder") or {}) if "stakeholder" in t.labels else {}
        if person.get("buying_role"):
            rows.append((t.text, person["buying_role"], own_words(person.get("name"), said)))
    return rows


def leave_one_deal_out(convs: list[Conversation], encoder: str, extra: list[dict]) -> tuple[Counter, int]:
    """Right answers (mention alone, mixed with own words, own words used at all) and turns scored;
    `extra`: mention examples of other deals added to every fit (`data/roles/mentions.jsonl`)."""
    by_deal: dict[str, list[Conversation]] = {}
    for conv in convs:
        if labelled(conv):
            by_deal.setdefault(conv.deal, []).append(conv)
    right, total = Counter(), 0
    for deal, held in by_deal.items():
        rest = [c for d, cs in by_deal.items() if d != deal for c in cs]
        record = {**buying_roles._fit(buying_roles.role_examples(rest) + extra, encoder),
                  "speech": buying_roles._fit_speech(buying_roles.speaker_examples(rest), encoder)}
        model = buying_roles.RoleModel(record, encoder)
        for conv in held:
            for text, role, own in labelled(conv):
                total += 1
                right["mention"] += model.predict(text)[0] == role
                mixed = model.predict(text, own)[0]
                right["mixed"] += mixed == role
                right["rules"] += (rule_role(text) or mixed) == role
                right["skeptic rule"] += (skeptic_rule(text) or mixed) == role
                right["title rule"] += (title_rule(title_of(text)) or mixed) == role
                right["speaks"] += len(buying_roles._long(own)) >= buying_roles.MIN_OWN_TURNS
    return right, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-dir", type=Path, default=ROOT / "data" / "train")
    args = parser.parse_args()
    encoder = load_settings().encoder_model
    convs = [c for c in load_train(args.train_dir) if labelled(c)]
    mentions = buying_roles.mention_examples()
    print(f"{len(convs)} training calls with labelled buying roles, {len({c.deal for c in convs})} deals; "
          f"{len(mentions)} role-only mentions")
    for form, cs in (("as written", convs), ("recognizer style", [asr_conversation(c, SEED) for c in convs])):
        for fitted, extra in (("calls", []), ("calls + mentions", mentions)):
            right, total = leave_one_deal_out(cs, encoder, extra)
            print(f"{form:17} fitted on {fitted:16} {total} turns: mention alone {right['mention'] / total:.3f}, "
                  f"mixed with own words {right['mixed'] / total:.3f} ({right['speaks']} of the people speak)")
            print(" " * 18 + "with the rules over mixed: " + ", ".join(
                f"{k} {right[k] / total:.3f}" for k in ("skeptic rule", "title rule", "rules")))
    if mentions:  # do the mentions read like the calls? the calls' model on them, with the rules
        model = buying_roles.RoleModel(buying_roles._fit(buying_roles.role_examples(convs), encoder), encoder)
        right = sum((rule_role(m["text"]) or model.predict(m["text"])[0]) == m["role"] for m in mentions)
        print(f"calls' model on the {len(mentions)} mentions, with the rules: {right / len(mentions):.3f}")


if __name__ == "__main__":
    main()
